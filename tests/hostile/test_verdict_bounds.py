"""A run with a 25 MB report gets a verdict of at most 256 KiB, warm and cold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner import Limits, Runner
from tests.hostile.conftest import make_runner
from tests.hostile.host import Listeners, run_case
from tests.hostile.snippets import problems, storable_problems
from tests.hostile.verdicts import LONG_NAMES

pytestmark = pytest.mark.bwrap


@pytest.fixture(scope="module", params=["warm", "cold"])
def default_runner(request: pytest.FixtureRequest) -> Iterator[Runner]:
    with make_runner(request.param) as runner:
        runner.limits = Limits()
        yield runner


def test_a_25_mb_report_makes_a_bounded_verdict(default_runner: Runner, listeners: Listeners):
    verdict, then = run_case(default_runner, LONG_NAMES, listeners)

    assert problems(LONG_NAMES, verdict, then) == [], verdict["error"]
    assert storable_problems(verdict) == []
    # Every task is counted, though only the first ones' spans are kept (the harness keeps 100,
    # the host cuts more if the verdict would still be too big), each with its name cut short.
    assert verdict["task_count"] == 1001  # the 1,000 named tasks and main
    assert 0 < len(verdict["tasks"]) + verdict["cut"].get("tasks", 0) <= 1000
    long_named = [task for task in verdict["tasks"] if task["name"] != "Task-1"]  # all but main
    assert long_named and all(task["name"].endswith("…") for task in long_named)
    assert verdict["cut"]["strings"] >= len(long_named)
