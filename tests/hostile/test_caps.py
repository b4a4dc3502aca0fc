"""Per-run caps the kernel keeps (or the fallback's sampling): memory hidden in memfds and CPU
time spread over processes end the run `killed`, with the cap named, on both paths; and the
seccomp allow-list refuses what it should and lets asyncio work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner import Runner, cgroups
from tests.hostile.caps import ASYNCIO_NEEDS, CAP_LIMITS, CPU_SPREAD, MEMFD_HOARD, REFUSED_CALLS
from tests.hostile.conftest import make_runner
from tests.hostile.snippets import storable_problems

pytestmark = pytest.mark.bwrap


@pytest.fixture(scope="module", params=["warm", "cold"])
def capped(request: pytest.FixtureRequest) -> Iterator[Runner]:
    with make_runner(request.param) as runner:
        runner.limits = CAP_LIMITS
        yield runner


def test_memory_kept_in_memfds_is_capped(capped: Runner) -> None:
    verdict = capped.run(MEMFD_HOARD)

    assert "HELD" not in verdict["stdout"]
    assert storable_problems(verdict) == []
    hierarchy = cgroups.available()
    if hierarchy is not None:
        assert (verdict["status"], verdict["error"]["code"]) == ("killed", "killed_memory_limit")
        assert verdict["sandbox"].endswith(f"(cgroup v{hierarchy.version})")
    else:
        # Without a cgroup, memfds are refused: sampled sizes could not see them.
        assert verdict["status"] == "error"
        assert "memfd_create" in verdict["stderr"]


def test_cpu_time_is_capped_across_the_runs_processes(capped: Runner) -> None:
    verdict = capped.run(CPU_SPREAD)

    assert (verdict["status"], verdict["error"]["code"]) == ("killed", "killed_cpu_total")
    assert "SPENT" not in verdict["stdout"]


def test_an_ordinary_run_is_not_capped(capped: Runner) -> None:
    verdict = capped.run("data = bytearray(200 << 20)\nprint(len(data) >> 20)\n")

    assert (verdict["status"], verdict["stdout"]) == ("ok", "200\n")


def test_calls_outside_the_allow_list_are_refused(capped: Runner) -> None:
    verdict = capped.run(REFUSED_CALLS)

    assert (verdict["status"], verdict["stdout"]) == ("ok", "refused\n"), verdict["stderr"]


def test_what_asyncio_needs_still_works(capped: Runner) -> None:
    verdict = capped.run(ASYNCIO_NEEDS, real_time=True)

    assert (verdict["status"], verdict["stdout"]) == ("ok", "served 5\nthreads 5\n"), verdict


def test_a_warm_slots_next_run_owes_nothing_to_the_runs_it_killed() -> None:
    # One slot, so every run is born in the same kept cgroup: its counters must start afresh.
    with make_runner("warm", slots=1) as runner:
        runner.limits = CAP_LIMITS
        hoard = runner.run(MEMFD_HOARD)
        spread = runner.run(CPU_SPREAD)
        ordinary = runner.run("data = bytearray(200 << 20)\nprint(len(data) >> 20)\n")

    assert "HELD" not in hoard["stdout"] and hoard["status"] in ("killed", "error")
    assert (spread["status"], spread["error"]["code"]) == ("killed", "killed_cpu_total")
    assert (ordinary["status"], ordinary["stdout"]) == ("ok", "200\n"), ordinary
