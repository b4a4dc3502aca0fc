"""The learner's marks on cards, listed and lifted: Anki's browser for flagged and suspended."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from quiz.models import CardMark
from quiz.models.decks import Status

Mark = Literal["flag", "suspend"]


@dataclass
class MarkedCards:
    flagged: list[CardMark]
    suspended: list[CardMark]


def marks_of(user: AbstractBaseUser) -> MarkedCards:
    """The learner's flagged and suspended cards (a card may be both) by deck and position,
    of the cards they can study: retired, draft and archived ones are left out."""
    marks = list(
        CardMark.objects.filter(Q(flagged=True) | Q(suspended=True), user=user)
        .filter(
            card__retired_at__isnull=True,
            card__status=Status.PUBLISHED,
            card__deck__status=Status.PUBLISHED,
            card__deck__archived_at__isnull=True,
        )
        .select_related("card__deck")
        .prefetch_related("card__texts", "card__deck__texts")
        .order_by("card__deck__slug", "card__position", "card__pk")
    )
    return MarkedCards(
        flagged=[mark for mark in marks if mark.flagged],
        suspended=[mark for mark in marks if mark.suspended],
    )


def lift(mark: CardMark, what: Mark) -> None:
    """Take the flag off, or bring the card back into study."""
    field = "flagged" if what == "flag" else "suspended"
    setattr(mark, field, False)
    mark.save(update_fields=[field])
