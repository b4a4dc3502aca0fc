"""Studying: which card comes next, answering it, and undoing the last answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quiz.models import Card, Deck, Presentation, Progress, Review, Status
from quiz.study import scheduling
from quiz.study.grading import Grade

PRESENTATION_REUSE = timedelta(hours=1)


class AnswerRefused(Exception):
    """The answer cannot be taken (already answered, not due, not allowed); nothing changed."""

    def __init__(self, message: Any, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class DeckStatus:
    deck: Deck
    due: int
    new_today: int
    new_left: int
    reviews_today: int
    next_due: datetime | None

    @property
    def new_available(self) -> int:
        """New cards the learner may still start today."""
        return max(0, min(self.new_left, self.deck.new_per_day - self.new_today))

    @property
    def due_available(self) -> int:
        return max(0, min(self.due, self.deck.reviews_per_day - self.reviews_today))

    @property
    def remaining(self) -> int:
        return self.due_available + self.new_available

    @property
    def answered_today(self) -> int:
        return self.new_today + self.reviews_today

    @property
    def percent_done(self) -> int:
        total = self.answered_today + self.remaining
        return round(100 * self.answered_today / total) if total else 100


def start_of_day(user: AbstractBaseUser, now: datetime) -> datetime:
    """When the learner's day began: their time zone, their "next day starts at" hour."""
    return scheduling.day_start(user, now)


def deck_statuses(
    user: AbstractBaseUser, decks: list[Deck], now: datetime | None = None
) -> list[DeckStatus]:
    """Per deck: due now, new today, next due; a fixed number of queries for any data size."""
    now = now or timezone.now()
    ids = [deck.pk for deck in decks]
    active = Q(card__retired_at__isnull=True, card__status=Status.PUBLISHED, card__deck__in=ids)
    progress = {
        row["card__deck"]: row
        for row in Progress.objects.filter(active, user=user)
        .values("card__deck")
        .annotate(
            seen=Count("id"), due_now=Count("id", filter=Q(due__lte=now)), next_due=Min("due")
        )
    }
    cards = {
        row["deck"]: row["n"]
        for row in Card.objects.studyable()
        .filter(deck__in=ids)
        .values("deck")
        .annotate(n=Count("id"))
    }
    today = {
        row["card__deck"]: row
        for row in Review.objects.filter(
            user=user, reviewed_at__gte=start_of_day(user, now), card__deck__in=ids
        )
        .values("card__deck")
        .annotate(
            new=Count("id", filter=Q(state_before__isnull=True)),
            old=Count("id", filter=Q(state_before__isnull=False)),
        )
    }
    statuses = []
    for deck in decks:
        seen = progress.get(deck.pk, {})
        done = today.get(deck.pk, {})
        statuses.append(
            DeckStatus(
                deck=deck,
                due=seen.get("due_now", 0),
                new_today=done.get("new", 0),
                new_left=cards.get(deck.pk, 0) - seen.get("seen", 0),
                reviews_today=done.get("old", 0),
                next_due=seen.get("next_due"),
            )
        )
    return statuses


def next_card(
    user: AbstractBaseUser, deck: Deck, status: DeckStatus, now: datetime
) -> tuple[Card, Progress | None] | None:
    """Due cards first (most overdue first), then new cards in deck order, within the limits."""
    if status.due_available:
        progress = (
            Progress.objects.filter(
                user=user,
                card__deck=deck,
                card__retired_at__isnull=True,
                card__status=Status.PUBLISHED,
                due__lte=now,
            )
            .select_related("card__deck")
            .order_by("due", "card__position")
            .first()
        )
        if progress:
            return progress.card, progress
    if status.new_available:
        card = (
            Card.objects.studyable()
            .filter(deck=deck)
            .exclude(progress__user=user)
            .select_related("deck")
            .order_by("position")
            .first()
        )
        if card:
            return card, None
    return None


def present(
    user: AbstractBaseUser, card: Card, progress: Progress | None, now: datetime
) -> Presentation:
    """Show `card`: reuse the open presentation of it, or compute every rating's outcome once."""
    open_one = (
        Presentation.objects.filter(
            user=user, card=card, answered_at__isnull=True, shown_at__gte=now - PRESENTATION_REUSE
        )
        .order_by("-shown_at")
        .first()
    )
    if open_one and (progress is None or open_one.shown_at >= (progress.last_review or now)):
        return open_one
    return Presentation.objects.create(
        user=user, card=card, shown_at=now, outcomes=scheduling.outcomes(card, progress, now, user)
    )


def check(presentation: Presentation, answer: Any) -> Grade | None:
    """Grade an auto-graded card's answer and keep it; basic cards are just revealed."""
    if presentation.answered_at:
        raise AnswerRefused(_("This card was already answered."))
    if not presentation.card.kind_spec.auto_graded:
        return None
    content = presentation.card.text().content
    result = presentation.card.kind_spec.grade(content, answer)
    if presentation.correct is None:
        Presentation.objects.filter(pk=presentation.pk, correct__isnull=True).update(
            answer=answer, correct=result.correct
        )
        presentation.refresh_from_db()
    return result


def allowed_ratings(presentation: Presentation) -> list[int]:
    """Wrong → Again only; right → Good, or Hard/Easy if the learner says so; basic: any.

    Code cards are graded by their first check's verdict (quiz.runs.service sets `correct`).
    """
    if not presentation.card.kind_spec.self_graded:
        if presentation.correct is None:
            return []
        return [2, 3, 4] if presentation.correct else [1]
    return [1, 2, 3, 4]


@transaction.atomic
def answer(presentation: Presentation, rating: int, duration_ms: int, now: datetime) -> Review:
    """Apply the stored outcome of `rating`; refuse a repeat, a card not due, a bad rating."""
    locked = (
        Presentation.objects.select_for_update(of=("self",))
        .select_related("card__deck")
        .get(pk=presentation.pk)
    )
    if locked.answered_at:
        raise AnswerRefused(_("This card was already answered."))
    if rating not in allowed_ratings(locked):
        raise AnswerRefused(_("That rating is not allowed for this answer."), status=400)
    progress = (
        Progress.objects.select_for_update().filter(user=locked.user, card=locked.card).first()
    )
    if progress is not None and (
        progress.due > now or (progress.last_review and progress.last_review > locked.shown_at)
    ):
        raise AnswerRefused(_("This card is not due."))
    if progress is None and Review.objects.filter(user=locked.user, card=locked.card).exists():
        raise AnswerRefused(_("This card is not due."))
    before = scheduling.snapshot(progress)
    fields = scheduling.progress_fields(locked.outcomes[str(rating)])
    Progress.objects.update_or_create(user=locked.user, card=locked.card, defaults=fields)
    locked.answered_at = now
    locked.save(update_fields=["answered_at"])
    return Review.objects.create(
        user=locked.user,
        card=locked.card,
        rating=rating,
        reviewed_at=now,
        duration_ms=max(0, min(duration_ms, 3_600_000)),
        answer=locked.answer,
        state_before=progress.state if progress else None,
        previous=before,
        presentation=locked,
    )


@transaction.atomic
def undo_last(user: AbstractBaseUser, deck: Deck) -> Card | None:
    """Take back the learner's last answer in `deck`: progress as it was, log row removed."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .filter(user=user, card__deck=deck)
        .select_related("card", "presentation")
        .order_by("-reviewed_at", "-pk")
        .first()
    )
    if review is None:
        return None
    if review.previous is None:
        Progress.objects.filter(user=user, card=review.card).delete()
    else:
        Progress.objects.filter(user=user, card=review.card).update(
            **scheduling.progress_fields(review.previous)
        )
    if review.presentation:
        # The learner sees the same question again, with the same intervals on the buttons.
        Presentation.objects.filter(pk=review.presentation.pk).update(
            answered_at=None, answer=None, correct=None
        )
    review.delete()
    return review.card
