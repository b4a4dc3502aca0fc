"""Per-check figures kept per day as check runs finish, equal to counting the runs' verdicts."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from quiz.models import CheckDay, Run
from quiz.progress import figures as progress
from quiz.runs import tasks
from tests.progress.fixtures import History, check_run

pytestmark = pytest.mark.django_db


def counted(history: History) -> dict[tuple[str, str], tuple[int, int]]:
    """CheckDay's rows of code-1, by UTC day and check."""
    return {
        (row.day.isoformat(), row.name): (row.attempts, row.failed)
        for row in CheckDay.objects.filter(card=history.cards["code-1"])
    }


def from_verdicts(history: History, since: datetime | None) -> dict[str, tuple[int, int]]:
    """The figures as the deck page counted them before CheckDay: every graded run's checks."""
    runs = Run.objects.filter(card=history.cards["code-1"], kind="check", status="done")
    if since:
        runs = runs.filter(created_at__gte=since)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for run in runs:
        for check in run.verdict["checks"]:
            totals[check["name"]][0] += 1
            totals[check["name"]][1] += not check["passed"]
    return {name: (a, f) for name, (a, f) in totals.items()}


def shown(history: History, since: datetime | None) -> dict[str, tuple[int, int]]:
    code = next(
        c for c in progress.deck_insights(history.deck, since).cards if c.card.key == "code-1"
    )
    return {check.name: (check.attempts, check.failed) for check in code.checks}


def test_finishing_a_check_run_counts_its_checks_into_its_utc_day(history):
    today = history.now.astimezone(UTC).date().isoformat()
    assert counted(history) == {(today, "output"): (3, 2), (today, "no_blocking"): (3, 1)}
    at = datetime(2026, 5, 4, 23, 30, tzinfo=UTC)
    run = Run.objects.create(
        user=history.ada, card=history.cards["code-1"], code="x", kind="check",
        status="running", created_at=at,
    )  # fmt: skip
    verdict = {"passed": False, "checks": [{"name": "output", "passed": False}]}
    tasks.finish(run, verdict=verdict)
    tasks.finish(run, verdict=verdict)  # a second delivery saves nothing and counts nothing
    assert counted(history)[("2026-05-04", "output")] == (1, 1)


def test_plain_runs_and_runs_without_a_verdict_count_nothing(history):
    before = counted(history)
    for kind, error in [("run", ""), ("check", "crash")]:
        run = Run.objects.create(
            user=history.ada, card=history.cards["code-1"], code="x", kind=kind, status="running"
        )
        tasks.finish(run, verdict={"checks": [{"name": "output", "passed": False}]}, error=error)
    assert counted(history) == before


def test_the_deck_page_shows_what_the_verdicts_say_for_every_period(history):
    code = history.cards["code-1"]
    # Runs around the 7- and 30-day windows' edges, on both sides of a midnight UTC.
    for hours_ago, checks in [
        (7 * 24 - 1, {"output": False, "no_blocking": True}),
        (7 * 24 + 1, {"output": True, "no_blocking": False}),
        (7 * 24 + 13, {"output": False}),
        (30 * 24 + 2, {"no_blocking": False}),
        (400 * 24, {"output": True, "no_blocking": True}),
    ]:
        check_run(history.bob, code, checks, created_at=history.now - timedelta(hours=hours_ago))
    for days in [None, 7, 30, 365]:
        since = history.now - timedelta(days=days) if days else None
        assert shown(history, since) == from_verdicts(history, since), days
    # Mid-day windows too: the day the window starts in is counted from its runs.
    for hours in range(0, 24 * 9, 5):
        since = history.now - timedelta(hours=hours)
        assert shown(history, since) == from_verdicts(history, since), hours


def test_a_deleted_run_stops_counting_and_a_rebuild_recounts_the_same(history):
    code = history.cards["code-1"]
    check_run(history.bob, code, {"output": False}, created_at=history.now - timedelta(days=3))
    Run.objects.filter(user=history.bob).delete()
    assert (
        shown(history, None)
        == from_verdicts(history, None)
        == {
            "output": (2, 1),
            "no_blocking": (2, 0),
        }
    )
    kept = {key: figures for key, figures in counted(history).items() if figures != (0, 0)}
    CheckDay.rebuild()  # what seeddemo does after loading runs around finish()
    assert counted(history) == kept
