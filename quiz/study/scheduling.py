"""FSRS-6 scheduling through the `fsrs` package: outcomes computed once, stored, applied."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.card import CardDict

from quiz.models import Card, Deck, Progress

RATINGS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)


def scheduler_for(deck: Deck) -> Scheduler:
    return Scheduler(desired_retention=deck.desired_retention, enable_fuzzing=settings.FSRS_FUZZ)


# The Progress fields that make up an fsrs Card (with the card's id).
FSRS_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def fsrs_card(card_id: int, progress: Progress | dict[str, Any] | None) -> FsrsCard:
    """The fsrs Card of a learner's Progress row, or of its `values(*FSRS_FIELDS)`; a new card
    when there is no progress."""
    if progress is None:
        return FsrsCard(card_id=card_id)
    if not isinstance(progress, dict):
        progress = {name: getattr(progress, name) for name in FSRS_FIELDS}
    return FsrsCard(
        card_id=card_id,
        state=State(progress["state"]),
        step=progress["step"],
        stability=progress["stability"],
        difficulty=progress["difficulty"],
        due=progress["due"],
        last_review=progress["last_review"],
    )


def outcomes(card: Card, progress: Progress | None, now: datetime) -> dict[str, CardDict]:
    """What each rating would do to the card, keyed by the rating's number ("1".."4")."""
    scheduler = scheduler_for(card.deck)
    current = fsrs_card(card.pk, progress)
    return {
        str(int(rating)): scheduler.review_card(current, rating, now)[0].to_dict()
        for rating in RATINGS
    }


def progress_fields(outcome: CardDict) -> dict[str, Any]:
    """The Progress fields for a stored outcome (an fsrs Card as a dict)."""
    return fields_of(FsrsCard.from_dict(outcome))


def fields_of(card: FsrsCard) -> dict[str, Any]:
    """The Progress fields (FSRS_FIELDS, in that order) of an fsrs Card."""
    return {
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due,
        "last_review": card.last_review,
    }


def snapshot(progress: Progress | None) -> CardDict | None:
    """The progress as it is, so that an undo can put it back (None: the card was new)."""
    if progress is None:
        return None
    return fsrs_card(progress.card_id, progress).to_dict()


def interval_label(now: datetime, due: datetime) -> str:
    """A short human interval like Anki's: "<1m", "10m", "3h", "4d", "2.5mo", "1.2y"."""
    seconds = max((due - now).total_seconds(), 0)
    if seconds < 60:
        return _("<1m")
    if seconds < 3600:
        return _("%(n)dm") % {"n": round(seconds / 60)}
    if seconds < 86400:
        return _("%(n)dh") % {"n": round(seconds / 3600)}
    days = seconds / 86400
    if days < 30:
        return _("%(n)dd") % {"n": round(days)}
    if days < 365:
        return _("%(n)smo") % {"n": _one_decimal(days / 30)}
    return _("%(n)sy") % {"n": _one_decimal(days / 365)}


def _one_decimal(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def due_of(outcome: dict[str, Any]) -> datetime:
    return FsrsCard.from_dict(outcome).due
