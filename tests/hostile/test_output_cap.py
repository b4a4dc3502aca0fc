"""A run stopped at the output cap just as it ends must not disturb the runs after it."""

from __future__ import annotations

import pytest

from runner import Runner

pytestmark = pytest.mark.bwrap

JUST_OVER_THE_CAP = "import sys\nsys.stdout.write('x' * 70000)\n"


def test_runs_after_output_capped_ones_are_untouched(runner: Runner) -> None:
    pairs = [(runner.run(JUST_OVER_THE_CAP), runner.run("print('next')")) for _ in range(30)]

    assert {(capped["status"], len(capped["stdout"])) for capped, _ in pairs} == {
        ("output_limit", 64 * 1024)
    }
    assert {(after["status"], after["stdout"]) for _, after in pairs} == {("ok", "next\n")}
