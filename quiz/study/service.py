"""Studying: which card comes next, answering it, and undoing the last answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quiz.models import Card, Deck, Presentation, Progress, Review, Status
from quiz.study import scheduling
from quiz.study.grading import Grade

PRESENTATION_REUSE = timedelta(hours=1)
# Like Anki's "maximum answer seconds": a card left open longer counts this long in statistics.
MAX_ANSWER_MS = 60_000


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


def start_of_day(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


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
            user=user, reviewed_at__gte=start_of_day(now), card__deck__in=ids
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
    """Show `card`: reuse the open presentation of it, or compute every rating's outcome once.

    A presentation already answered (checked) but not rated is always shown again as it was:
    a reload, a return or an undo shows the recorded result, never a fresh question.
    """
    open_one = (
        Presentation.objects.filter(user=user, card=card, answered_at__isnull=True)
        .filter(Q(checked_at__isnull=False) | Q(shown_at__gte=now - PRESENTATION_REUSE))
        .order_by(F("checked_at").desc(nulls_last=True), "-shown_at")
        .first()
    )
    if open_one and (progress is None or open_one.shown_at >= (progress.last_review or now)):
        return open_one
    return Presentation.objects.create(
        user=user, card=card, shown_at=now, outcomes=scheduling.outcomes(card, progress, now)
    )


def check(presentation: Presentation, answer: Any, now: datetime | None = None) -> Grade | None:
    """Grade an auto-graded card's first answer and keep it; basic cards are just revealed.

    The first answer decides: a second one (a resubmitted form, another tab) is not graded, and
    the grade returned is always the recorded answer's.
    """
    if presentation.answered_at:
        raise AnswerRefused(_("This card was already answered."))
    kind = presentation.card.kind_spec
    content = presentation.card.text().content
    if presentation.checked_at is None:
        fields: dict[str, Any] = {}
        if kind.auto_graded:
            fields = {"answer": answer, "correct": kind.grade(content, answer).correct}
        mark_checked(presentation, now or timezone.now(), **fields)
    if not kind.auto_graded:
        return None
    return kind.grade(content, presentation.answer)


def mark_checked(presentation: Presentation, now: datetime, **fields: Any) -> bool:
    """Record the moment of the answer (once): answer time stops here, and every rating's
    outcome is computed again from it, so Again counts from the answer, not from the showing.
    Returns whether this call recorded it."""
    progress = Progress.objects.filter(user=presentation.user_id, card=presentation.card).first()
    outcomes = scheduling.outcomes(presentation.card, progress, now)
    recorded = Presentation.objects.filter(
        pk=presentation.pk, checked_at__isnull=True, answered_at__isnull=True
    ).update(checked_at=now, outcomes=outcomes, **fields)
    presentation.refresh_from_db()
    return bool(recorded)


def answer_duration_ms(presentation: Presentation, now: datetime) -> int:
    """From showing to answering (the check, or `now` if never checked), capped like Anki's."""
    answered = presentation.checked_at or now
    ms = int((answered - presentation.shown_at).total_seconds() * 1000)
    return max(0, min(ms, MAX_ANSWER_MS))


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
        duration_ms=max(0, min(duration_ms, MAX_ANSWER_MS)),
        answer=locked.answer,
        state_before=progress.state if progress else None,
        previous=before,
        presentation=locked,
    )


@transaction.atomic
def undo_last(user: AbstractBaseUser, deck: Deck) -> Card | None:
    """Take back the learner's last rating in `deck`: progress as it was, log row removed.

    The answer itself stays: the card comes back showing its recorded result and the ratings
    that result allows, so a wrong answer cannot be undone into a right one.
    """
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
        # The same answered card again, with the same intervals on the buttons.
        Presentation.objects.filter(pk=review.presentation.pk).update(answered_at=None)
    review.delete()
    return review.card
