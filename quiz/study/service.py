"""Studying: which card comes next, answering it, and undoing the last answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quiz.models import (
    Card,
    CardMark,
    Deck,
    ExtraNewCards,
    Presentation,
    Progress,
    Review,
    Status,
)
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
    learning_due: int = 0
    extra_new: int = 0

    @property
    def new_limit(self) -> int:
        """Today's new-card limit: the deck's, raised by "study more today"."""
        return self.deck.new_per_day + self.extra_new

    @property
    def new_available(self) -> int:
        """New cards the learner may still start today."""
        return max(0, min(self.new_left, self.new_limit - self.new_today))

    @property
    def due_available(self) -> int:
        return max(0, min(self.due, self.deck.reviews_per_day - self.reviews_today))

    @property
    def learning_available(self) -> int:
        """Of the due cards shown today, those in (re)learning (Anki's red count)."""
        return min(self.learning_due, self.due_available)

    @property
    def review_available(self) -> int:
        """Of the due cards shown today, those in review (Anki's green count)."""
        return self.due_available - self.learning_available

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
    hidden = hidden_cards(user, now)
    learning = [Progress.State.LEARNING, Progress.State.RELEARNING]
    progress = {
        row["card__deck"]: row
        for row in Progress.objects.filter(active, user=user)
        .exclude(card__in=hidden)
        .values("card__deck")
        .annotate(
            seen=Count("id"),
            due_now=Count("id", filter=Q(due__lte=now)),
            learning_now=Count("id", filter=Q(due__lte=now, state__in=learning)),
            next_due=Min("due"),
        )
    }
    cards = {
        row["deck"]: row["n"]
        for row in Card.objects.studyable()
        .filter(deck__in=ids)
        .exclude(pk__in=hidden)
        .values("deck")
        .annotate(n=Count("id"))
    }
    extra = dict(
        ExtraNewCards.objects.filter(
            user=user, deck__in=ids, day=scheduling.learner_day(user).today(now)
        ).values_list("deck", "cards")
    )
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
                learning_due=seen.get("learning_now", 0),
                extra_new=extra.get(deck.pk, 0),
            )
        )
    return statuses


def hidden_cards(user: AbstractBaseUser, now: datetime) -> QuerySet[CardMark, Any]:
    """The cards the learner has buried (until a time still ahead) or suspended: a subquery."""
    return (
        CardMark.objects.filter(user=user)
        .filter(Q(suspended=True) | Q(buried_until__gt=now))
        .values("card")
    )


def bury(user: AbstractBaseUser, card: Card, now: datetime) -> None:
    """Hide the card until the learner's next day starts."""
    tomorrow = scheduling.learner_day(user).end(now)
    CardMark.objects.update_or_create(user=user, card=card, defaults={"buried_until": tomorrow})


def suspend(user: AbstractBaseUser, card: Card) -> None:
    """Hide the card until the learner unsuspends it."""
    CardMark.objects.update_or_create(user=user, card=card, defaults={"suspended": True})


def unsuspend_all(user: AbstractBaseUser, deck: Deck) -> int:
    return CardMark.objects.filter(user=user, card__deck=deck, suspended=True).update(
        suspended=False
    )


def toggle_flag(user: AbstractBaseUser, card: Card) -> bool:
    """Flag the card for the learner, or take the flag off; returns whether it is flagged."""
    mark, _ = CardMark.objects.get_or_create(user=user, card=card)
    mark.flagged = not mark.flagged
    mark.save(update_fields=["flagged"])
    return mark.flagged


def study_more(user: AbstractBaseUser, deck: Deck, now: datetime) -> int:
    """Raise today's new-card limit of `deck` by one more day's worth; returns the extra."""
    extra, _ = ExtraNewCards.objects.get_or_create(
        user=user, deck=deck, day=scheduling.learner_day(user).today(now)
    )
    ExtraNewCards.objects.filter(pk=extra.pk).update(cards=F("cards") + deck.new_per_day)
    extra.refresh_from_db()
    return extra.cards


def next_card(
    user: AbstractBaseUser, deck: Deck, status: DeckStatus, now: datetime
) -> tuple[Card, Progress | None] | None:
    """Due cards first (most overdue first), then new cards in deck order, within the limits."""
    hidden = hidden_cards(user, now)
    if status.due_available:
        progress = (
            Progress.objects.filter(
                user=user,
                card__deck=deck,
                card__retired_at__isnull=True,
                card__status=Status.PUBLISHED,
                due__lte=now,
            )
            .exclude(card__in=hidden)
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
            .exclude(pk__in=hidden)
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
        user=user, card=card, shown_at=now, outcomes=scheduling.outcomes(card, progress, now, user)
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
