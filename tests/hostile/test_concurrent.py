"""Sixteen hostile and sixteen normal runs at once: every normal run still gets its verdict."""

from __future__ import annotations

import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.hostile.catalogue import CATALOGUE
from tests.hostile.conftest import make_runner
from tests.hostile.host import ENDS_BY_ITSELF, Listeners, leftover_processes
from tests.hostile.snippets import NORMAL, normal_problems

pytestmark = pytest.mark.bwrap

HOSTILE = [
    case
    for case in CATALOGUE
    if case.name
    in {
        "fork_bomb",
        "fork_bomb_that_keeps_trying",
        "thread_bomb",
        "memory_gradual_growth",
        "cpu_loop",
        "sleep_forever_ignoring_sigterm",
        "huge_stdout",
        "tmp_fill_with_large_files",
        "dev_shm_fill",
        "kill_every_process",
        "kill_every_pid_number",
        "process_left_running",
        "files_left_for_a_later_run",
        "write_fake_report_to_every_fd",
        "segfault_through_ctypes",
        "zombies",
    }
]
# A normal run that also looks for other runs' files and processes while they are running.
ALONE = textwrap.dedent(
    """
    import os
    with open("/tmp/mine", "w") as f:
        f.write("mine")
    others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
    files = sorted(os.listdir("/tmp") + os.listdir("/dev/shm"))
    print("CLEAN" if not others and files == ["mine"] else f"SEEN {others} {files}")
    """
)


@pytest.mark.parametrize("path", ["warm", "cold"])
def test_normal_runs_hold_among_hostile_ones(path: str, listeners: Listeners) -> None:
    assert len(HOSTILE) == 16
    with make_runner(path, slots=4) as runner, ThreadPoolExecutor(32) as pool:
        hostile = [
            pool.submit(
                runner.run,
                listeners.fill(case.source),
                # As in run_case: a case that must end by itself or a cap is not timed out.
                timeout=None if "timeout" in case.statuses else ENDS_BY_ITSELF,
            )
            for case in HOSTILE
        ]
        # Normal runs get a generous wall limit: they queue behind hostile ones for a slot.
        normal = [pool.submit(runner.run, NORMAL, timeout=ENDS_BY_ITSELF) for _ in range(8)]
        alone = [pool.submit(runner.run, ALONE, timeout=ENDS_BY_ITSELF) for _ in range(8)]
        hostile_verdicts = [future.result() for future in hostile]
        normal_verdicts = [future.result() for future in normal]
        alone_verdicts = [future.result() for future in alone]

    assert [problems for v in normal_verdicts if (problems := normal_problems(v))] == []
    assert [(v["status"], v["stdout"]) for v in alone_verdicts] == [("ok", "CLEAN\n")] * 8
    assert [
        (case.name, verdict["status"])
        for case, verdict in zip(HOSTILE, hostile_verdicts, strict=True)
        if verdict["status"] not in case.statuses
    ] == []
    assert leftover_processes() == []
    assert listeners.reached() == []
