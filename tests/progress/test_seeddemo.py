"""seeddemo: synthetic learners whose schedules follow FSRS, the same every time for a seed."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from quiz.models import Card, CardText, Progress, Review, Run
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db

UNTIL = date(2026, 3, 31)


@pytest.fixture
def deck(tmp_path):
    deck = make_deck(tmp_path, 8)
    code = Card.objects.create(deck=deck, key="code-1", kind="code", tags=["t9"], position=9)
    CardText.objects.create(
        card=code,
        language="en",
        content={"front": "Fix it", "checks": {"output": {"exact": "x"}, "no_blocking": True}},
    )
    return deck


def seeded(learners: int = 3, days: int = 60, **options) -> list[tuple]:
    call_command("seeddemo", learners=learners, days=days, until=UNTIL, stdout=None, **options)
    return list(
        Review.objects.order_by("user__username", "reviewed_at", "pk").values_list(
            "user__username", "card__key", "rating", "reviewed_at", "duration_ms", "state_before"
        )
    )


def test_the_same_seed_makes_the_same_history_and_replaces_the_old_one(deck):
    first = seeded(seed=7)
    runs = Run.objects.count()
    again = seeded(seed=7)
    assert first == again
    assert Run.objects.count() == runs > 0
    assert len(first) > 100
    assert seeded(seed=8) != first


def test_every_schedule_is_what_fsrs_makes_of_the_answers(deck):
    seeded(seed=3)
    scheduler = Scheduler(enable_fuzzing=False)
    for progress in Progress.objects.select_related("user", "card"):
        card = FsrsCard(card_id=progress.card_id)
        for rating, at in (
            Review.objects.filter(user=progress.user, card=progress.card)
            .order_by("reviewed_at")
            .values_list("rating", "reviewed_at")
        ):
            card, _ = scheduler.review_card(card, Rating(rating), at)
        assert (progress.state, progress.due) == (int(card.state), card.due)
        assert progress.stability == pytest.approx(card.stability)


def test_answers_are_mostly_right_as_retrievability_predicts(deck):
    seeded(seed=5)
    reviews = Review.objects.filter(state_before=2)
    again = reviews.filter(rating=1).count() / reviews.count()
    # Desired retention 0.9 with learners who remember somewhat better or worse than FSRS.
    assert 0.02 < again < 0.35


def test_code_cards_get_graded_runs_with_every_check(deck):
    seeded(learners=10, days=90, seed=2)
    run = Run.objects.filter(card__key="code-1").first()
    assert run.kind == "check" and run.status == "done"
    assert [c["name"] for c in run.verdict["checks"]] == ["output", "no_blocking"]
    assert Run.objects.filter(passed=False).exists()


def test_it_refuses_to_run_without_cards(db):
    with pytest.raises(CommandError, match="loaddecks"):
        call_command("seeddemo", learners=1, days=5)
