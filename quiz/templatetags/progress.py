"""Template filters for the progress pages: who sees which page, percentages, card links."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils.formats import number_format

from quiz.models import Card
from quiz.roles import Action, allows

register = template.Library()


@register.filter
def sees_deck_insights(user: AbstractBaseUser) -> bool:
    return allows(user, Action.DECK_INSIGHTS)


@register.filter
def sees_cohort(user: AbstractBaseUser) -> bool:
    return allows(user, Action.LEARNERS)


@register.filter
def percent(share: float | None) -> str:
    """A share (0..1) as "87.5 %" in the reader's number format; "—" when there is none."""
    if share is None:
        return "—"
    return f"{number_format(round(100 * share, 1), 1)} %"


@register.filter
def card_editor_url(card: Card) -> str:
    """Where a teacher fixes a hard card: its page in the Author area's card editor."""
    return reverse("author-card-edit", args=[card.deck.slug, card.key])
