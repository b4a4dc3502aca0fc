"""Per-card review figures kept per UTC day as reviews come and go, equal to counting reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Avg, Count, Q

from quiz.models import Progress, Review, ReviewDay
from quiz.progress import figures as progress
from quiz.study import reads
from quiz.study import service as studying
from tests.progress.fixtures import History

pytestmark = pytest.mark.django_db

REVIEW_STATE = Q(state_before=Progress.State.REVIEW)


def counted() -> dict[tuple[int, str], tuple[int, int, int, int]]:
    """ReviewDay's rows, leaving out rows every review of which was taken back."""
    return {
        (row.card_id, row.day.isoformat()): (
            row.reviews,
            row.in_review,
            row.lapses,
            row.duration_ms_total,
        )
        for row in ReviewDay.objects.all()
        if row.reviews
    }


def recount() -> dict[tuple[int, str], tuple[int, int, int, int]]:
    """The same figures counted here from every review stored."""
    totals: dict[tuple[int, str], list[int]] = {}
    for review in Review.objects.all():
        key = (review.card_id, review.reviewed_at.astimezone(UTC).date().isoformat())
        tally = totals.setdefault(key, [0, 0, 0, 0])
        in_review = review.state_before == Progress.State.REVIEW
        tally[0] += 1
        tally[1] += in_review
        tally[2] += in_review and review.rating == Review.Rating.AGAIN
        tally[3] += review.duration_ms
    return {key: (n, i, lapses, ms) for key, (n, i, lapses, ms) in totals.items()}


def old_figures(history: History, since: datetime | None) -> dict[str, tuple[Any, ...]]:
    """Per card, what the deck page showed before ReviewDay: one aggregate over its reviews."""
    reviews = Review.objects.filter(card__deck=history.deck)
    if since:
        reviews = reviews.filter(reviewed_at__gte=since)
    rows = {
        row["card__key"]: row
        for row in reviews.values("card__key")
        .annotate(
            n=Count("id"),
            in_review=Count("id", filter=REVIEW_STATE),
            lapses=Count("id", filter=REVIEW_STATE & Q(rating=Review.Rating.AGAIN)),
            avg_ms=Avg("duration_ms"),
        )
        .order_by()
    }
    figures = {}
    for card in history.deck.cards.filter(retired_at__isnull=True):
        row = rows.get(card.key, {})
        average = None if row.get("avg_ms") is None else row["avg_ms"] / 1000
        figures[card.key] = (
            row.get("n", 0),
            progress.Ratio(row.get("lapses", 0), row.get("in_review", 0)),
            average,
        )
    return figures


def shown(history: History, since: datetime | None) -> dict[str, tuple[Any, ...]]:
    return {
        c.card.key: (c.reviews, c.lapses, c.average_seconds)
        for c in progress.deck_insights(history.deck, since).cards
    }


def study(user: User, history: History, steps: list[tuple[str, int, int]]) -> None:
    """Answer the cards in turn through the study code, `undo` taking the last answer back;
    the first answer is at 23:40 UTC, so that answers fall on both sides of midnights."""
    now = datetime(2026, 5, 4, 23, 40, tzinfo=UTC)
    for key, rating, ms in steps:
        if key == "undo":
            assert studying.undo_last(user, history.deck) is not None
        else:
            card = history.cards[key]
            found = Progress.objects.filter(user=user, card=card).first()
            now = max(now + timedelta(minutes=13), found.due if found else now)
            shown_card = studying.present(user, card, found, now)
            # Read as the answer view reads it: locked, with the learner's progress.
            studying.answer(reads.presentation(shown_card.token, lock=True), rating, ms, now)
        assert counted() == recount(), (key, rating)


def test_answering_and_undoing_keep_the_days_equal_to_a_recount(history):
    cy = User.objects.create_user("cy")
    # Again on a card in review state is a lapse; answers a few minutes apart cross midnight.
    steps = [("card-1", 3, 4000), ("card-2", 3, 2500), ("card-1", 3, 3100), ("card-1", 1, 900)]
    steps += [("card-1", 1, 1200), ("undo", 0, 0), ("undo", 0, 0), ("card-1", 1, 700)]
    steps += [("card-2", 4, 10_000), ("card-1", 2, 333), ("undo", 0, 0), ("card-3", 3, 5)]
    study(cy, history, steps)
    mine = Review.objects.filter(user=cy)
    assert mine.count() == 6
    assert {day for (_card, day) in counted()} >= {"2026-05-04", "2026-05-05"}
    assert mine.filter(REVIEW_STATE, rating=Review.Rating.AGAIN).exists()  # a lapse counted
    kept = counted()
    ReviewDay.rebuild()  # what seeddemo does after loading reviews by COPY
    assert counted() == kept == recount()


def test_deleting_a_learner_or_editing_a_review_keeps_the_days_equal_to_a_recount(history):
    review = Review.objects.filter(user=history.ada, rating=Review.Rating.AGAIN).get()
    review.rating = Review.Rating.GOOD
    review.reviewed_at -= timedelta(days=3)
    review.duration_ms += 500
    review.save()
    assert counted() == recount()
    Review.objects.filter(user=history.ada).first().save(update_fields=["answer"])
    assert counted() == recount()
    history.bob.delete()  # his reviews go by cascade
    assert counted() == recount()
    assert shown(history, None) == old_figures(history, None)


def test_the_deck_page_shows_what_the_reviews_say_for_every_period(history):
    cards = history.cards
    # Reviews around the 7- and 30-day windows' edges, on both sides of a midnight UTC.
    for hours_ago, key, rating, before, ms in [
        (7 * 24 - 1, "card-1", 1, Progress.State.REVIEW, 1_234),
        (7 * 24 + 1, "card-1", 3, Progress.State.REVIEW, 7_001),
        (7 * 24 + 13, "card-2", 1, Progress.State.RELEARNING, 333),
        (30 * 24 + 2, "card-2", 1, Progress.State.REVIEW, 12_345),
        (30 * 24 - 3, "card-3", 4, None, 10),
        (400 * 24, "card-4", 1, Progress.State.REVIEW, 99_999),
    ]:
        Review.objects.create(
            user=history.bob, card=cards[key], rating=rating, state_before=before,
            reviewed_at=history.now - timedelta(hours=hours_ago), duration_ms=ms,
        )  # fmt: skip
    for days in [None, 7, 30, 365]:
        since = history.now - timedelta(days=days) if days else None
        assert shown(history, since) == old_figures(history, since), days
    # Mid-day windows too: the day the window starts in is counted from its reviews.
    for hours in range(0, 24 * 12, 5):
        since = history.now - timedelta(hours=hours)
        assert shown(history, since) == old_figures(history, since), hours


def test_seeddemo_leaves_the_days_equal_to_a_recount(history):
    # Its reviews go in by COPY or raw INSERT, around the signals; the old ones out by raw DELETE.
    for seed in (1, 2):
        call_command(
            "seeddemo", learners=2, days=20, until=date(2026, 3, 31), seed=seed, stdout=None
        )
    assert Review.objects.filter(user__username__startswith="learner-").exists()
    assert counted() == recount()
