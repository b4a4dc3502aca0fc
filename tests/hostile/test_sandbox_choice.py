"""Which sandbox runs code, as whom, with what environment; and the fallback without bubblewrap."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import runner.launchers.choice
from runner import Runner, sandbox_kind
from runner.launchers.choice import strongest_launcher
from runner.launchers.sandbox import NO_BUBBLEWRAP, bwrap_available
from tests.conftest import require
from tests.hostile.conftest import make_runner
from tests.hostile.host import ENDS_BY_ITSELF, children_of, cmdline
from tests.hostile.snippets import NORMAL, SECRET, normal_problems


def sandbox_processes() -> list[int]:
    """Our bubblewrap processes and everything under them."""
    tree = children_of()
    found, stack = [], [p for p in tree.get(os.getpid(), []) if "bwrap" in cmdline(p)]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack += tree.get(pid, [])
    return found


def uids(pid: int) -> list[int]:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return [int(uid) for uid in line.split()[1:]]
    raise AssertionError(f"no Uid line for {pid}")


def test_without_bubblewrap_runs_say_they_are_only_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runner.launchers.choice, "bwrap_available", lambda: False)

    with Runner(launcher=strongest_launcher()) as weak:
        verdict = weak.run(NORMAL)

    assert verdict["sandbox"] == NO_BUBBLEWRAP == "process (no bubblewrap)"
    assert normal_problems(verdict) == []


@pytest.mark.bwrap
def test_runner_uses_bubblewrap_where_it_works() -> None:
    require(bwrap_available(), "bubblewrap (bwrap)")

    with Runner() as default:
        verdict = default.run(NORMAL)

    assert sandbox_kind() == verdict["sandbox"]
    assert verdict["sandbox"] in {
        "bwrap (cgroup v1)",
        "bwrap (cgroup v2)",
        "bwrap (memory sampled)",
    }
    assert normal_problems(verdict) == []


@pytest.mark.bwrap
def test_bubblewrap_never_runs_as_root_and_each_slot_has_its_own_uid() -> None:
    others = set(sandbox_processes())  # other runners of this process (the app's, say)
    with make_runner("warm", slots=2) as warm, ThreadPoolExecutor(2) as pool:
        # Two runs at once, each waiting in real time (time.sleep is virtual), start both slots.
        list(pool.map(warm.run, ["import select; select.select([], [], [], 0.5)"] * 2))
        slot_uids = {tuple(uids(pid)) for pid in sandbox_processes() if pid not in others}

    assert slot_uids and all(0 not in ids for ids in slot_uids)
    if os.geteuid() == 0:
        assert len({ids[0] for ids in slot_uids}) == 2


def environ(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""


@pytest.mark.bwrap
@pytest.mark.parametrize("path", ["warm", "cold"])
def test_no_sandbox_process_holds_the_hosts_environment(path: str) -> None:
    with make_runner(path) as sandboxed, ThreadPoolExecutor(1) as pool:
        running = pool.submit(sandboxed.run, "import os\nos.read(os.pipe()[0], 1)")
        time.sleep(0.5)
        processes = sandbox_processes()
        environments = [environ(pid) for pid in processes]
        running.result()

    # bwrap, (warm: bwrap's init, the zygote), and the run itself.
    assert len(processes) >= 2
    assert [env for env in environments if SECRET.encode() in env] == []
    assert [env for env in environments if b"SECRET_KEY" in env] == []


@pytest.mark.bwrap
@pytest.mark.parametrize("path", ["warm", "cold"])
def test_a_forked_worker_and_its_parent_run_side_by_side(path: str) -> None:
    with make_runner(path) as shared:
        shared.run(NORMAL)  # the parent's sandboxes exist before the fork
        read_end, write_end = os.pipe()
        # Every slot is held when the worker forks: its runs must not wait for runs that are
        # only its parent's (its gate starts empty).
        held = [shared.gate.slot(f"parent {n}") for n in range(shared.gate.capacity)]
        for slot in held:
            slot.__enter__()
        child = os.fork()
        if child == 0:
            try:
                outputs = [
                    shared.run(f"print({n})", timeout=ENDS_BY_ITSELF)["stdout"] for n in range(20)
                ]
                os.write(write_end, "".join(outputs).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        for slot in held:
            slot.__exit__(None, None, None)
        # Both processes' runs at once, on a busy machine: each must end by itself.
        parent = [shared.run(NORMAL, timeout=ENDS_BY_ITSELF) for _ in range(20)]
        worker = b""
        while chunk := os.read(read_end, 1000):
            worker += chunk
        os.waitpid(child, 0)

    assert worker.decode() == "".join(f"{n}\n" for n in range(20))
    assert [problems for verdict in parent if (problems := normal_problems(verdict))] == []
