"""Each hostile snippet gets its expected verdict and leaves the host as it was, warm and cold."""

from __future__ import annotations

import pytest

from runner import Runner, sandbox_kind
from tests.hostile.catalogue import CATALOGUE
from tests.hostile.host import Listeners, host_problems, run_case
from tests.hostile.snippets import Hostile, problems

pytestmark = pytest.mark.bwrap


def test_the_catalogue_covers_at_least_forty_attacks() -> None:
    assert len({case.name for case in CATALOGUE}) == len(CATALOGUE) >= 40


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda case: case.name)
def test_the_attack_is_contained_and_the_host_unaffected(
    runner: Runner, listeners: Listeners, case: Hostile
) -> None:
    verdict, then = run_case(runner, case, listeners)

    assert problems(case, verdict, then) == [], verdict
    assert verdict["sandbox"] == sandbox_kind()
    assert host_problems(runner, listeners) == []
