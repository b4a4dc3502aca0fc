"""A small hand-made history whose every figure is worked out by hand in the docstrings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group, User
from django.utils import timezone

from quiz.models import Card, CardText, Deck, LearnerSettings, Progress, Review, Run
from quiz.progress.figures import day_start
from quiz.runs import tasks
from runner.messages import message
from tests.study.factories import make_deck


@dataclass
class History:
    deck: Deck
    cards: dict[str, Card]
    ada: User
    bob: User
    teacher: User
    staff: User
    now: datetime


def at(days_ago: int, now: datetime) -> datetime:
    """Noon `days_ago` local days back; today's reviews happen a second before `now`."""
    if days_ago == 0:
        return now - timedelta(seconds=1)
    return day_start(timezone.localdate(now) - timedelta(days=days_ago)) + timedelta(hours=12)


def review(user: User, card: Card, days_ago: int, rating: int, now: datetime, *,
           before: int | None, stability: float | None = None, ms: int = 0) -> Review:  # fmt: skip
    previous = None if before is None else {"state": before, "stability": stability}
    return Review.objects.create(
        user=user, card=card, rating=rating, reviewed_at=at(days_ago, now), duration_ms=ms,
        state_before=before, previous=previous,
    )  # fmt: skip


def check_run(user: User, card: Card, checks: dict[str, bool], **fields: Any) -> Run:
    verdict = {
        "status": "ok",
        "passed": all(checks.values()),
        "checks": [
            {"name": n, "passed": p, "message": message("check_events_ok")}
            for n, p in checks.items()
        ],
    }
    fields = {"kind": "check", "status": "done", "passed": all(checks.values())} | fields
    if fields["status"] != Run.Status.DONE:
        return Run.objects.create(user=user, card=card, code="x", verdict=verdict, **fields)
    # Finished the way the worker finishes a run (status and passed come from the verdict),
    # so it counts wherever the worker's runs count.
    del fields["status"], fields["passed"]
    run = Run.objects.create(user=user, card=card, code="x", status=Run.Status.RUNNING, **fields)
    tasks.finish(run, verdict=verdict)
    run.refresh_from_db()
    return run


def make_history(tmp_path: Path) -> History:
    """Ada and Bob study "tiny" (card-1..card-4, tags t1 t0 t1 t0) and one code card.

    Ada's reviews (days ago, rating, state before, stability before, duration):
      card-1: 10 Good new 4 s; 6 Good learning(2) 6 s; 2 Again review(5) 8 s   -> young lapse
      card-2: 3 Good review(30); 1 Easy review(40)                             -> mature, kept
      card-3: 1 Hard review(10); 0 Good review(12)                             -> young, kept
    Bob: card-1: 9 Again review(50) 2 s -> mature lapse; card-4: 9 Good new.
    Ada: young 2 of 3 kept, mature 2 of 2; days with reviews 10, 6, 3, 2, 1, 0 -> streak 4.
    Ada's progress: card-1 relearning overdue, code-1 learning due now -> 2 due today;
    card-3 due in 2 days, card-2 in 5; card-4 new. States: new 1, learning 1, review 2,
    relearning 1.
    Runs on code-1 (graded, done): ada {output ✗, no_blocking ✓}, ada {✓, ✓},
    bob {output ✗, no_blocking ✗}; plus a plain run and an errored check, which do not count.
    -> output failed 2 of 3, no_blocking 1 of 3.
    """
    deck = make_deck(tmp_path, 4)
    code = Card.objects.create(deck=deck, key="code-1", kind="code", tags=["t9"], position=5)
    CardText.objects.create(card=code, language="en", content={"front": "Fix the loop"})
    cards = {card.key: card for card in deck.cards.all()}
    ada = User.objects.create_user("ada")
    bob = User.objects.create_user("bob")
    # Their days start at midnight UTC, like the staff's figures: the figures below hold at any
    # hour (with the default 4 a.m., a review a second ago at 1 a.m. is the learner's yesterday).
    for learner in (ada, bob):
        LearnerSettings.objects.create(user=learner, time_zone="UTC", day_starts_at=0)
    teacher = User.objects.create_user("tess")
    teacher.groups.add(Group.objects.get_or_create(name="teacher")[0])
    staff = User.objects.create_user("stan", is_staff=True)
    now = timezone.now()
    c1, c2, c3, c4 = (cards[f"card-{n}"] for n in range(1, 5))
    review(ada, c1, 10, 3, now, before=None, ms=4000)
    review(ada, c1, 6, 3, now, before=1, stability=2, ms=6000)
    review(ada, c1, 2, 1, now, before=2, stability=5, ms=8000)
    review(ada, c2, 3, 3, now, before=2, stability=30)
    review(ada, c2, 1, 4, now, before=2, stability=40)
    review(ada, c3, 1, 2, now, before=2, stability=10)
    review(ada, c3, 0, 3, now, before=2, stability=12)
    review(bob, c1, 9, 1, now, before=2, stability=50, ms=2000)
    review(bob, c4, 9, 3, now, before=None)
    today = timezone.localdate(now)
    noon_in = lambda days: day_start(today + timedelta(days=days)) + timedelta(hours=12)  # noqa: E731
    for user, card, state, due in [
        (ada, c1, 3, now - timedelta(hours=1)),
        (ada, code, 1, now),
        (ada, c3, 2, noon_in(2)),
        (ada, c2, 2, noon_in(5)),
        (bob, c1, 2, now - timedelta(days=2)),
        (bob, c4, 2, noon_in(3)),
    ]:
        Progress.objects.create(
            user=user, card=card, state=state, stability=10, difficulty=5, due=due,
            last_review=now - timedelta(days=1),
        )  # fmt: skip
    check_run(ada, code, {"output": False, "no_blocking": True})
    check_run(ada, code, {"output": True, "no_blocking": True})
    check_run(bob, code, {"output": False, "no_blocking": False})
    check_run(ada, code, {"output": False}, kind="run", passed=None)
    check_run(ada, code, {"output": False}, status="error")
    cards["code-1"] = code
    return History(deck, cards, ada, bob, teacher, staff, now)
