"""What the study page shows: the deck's status and the card in front of the learner."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from quiz.kinds import ChoiceContent, OrderContent
from quiz.models import CardMark, Deck, Presentation
from quiz.rendering import render_markdown
from quiz.study import scheduling, service
from quiz.study.grading import Grade, order_permutation

# A card due within this many seconds is counted down to on the done screen.
COUNTDOWN_WITHIN = 3600
RATING_LABELS = {1: _lazy("Again"), 2: _lazy("Hard"), 3: _lazy("Good"), 4: _lazy("Easy")}


def study_context(
    user: AbstractBaseUser,
    deck: Deck,
    presentation: Presentation | None = None,
    result: Grade | None = None,
    revealed: bool = False,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The study page's context: the deck's status and the card shown (the next due one if none
    is given). A deck read through `service.with_status` at `now` brings its status along."""
    if now is None or not hasattr(deck, "status_due"):
        now = timezone.now()
        status = service.deck_statuses(user, [deck], now)[0]
    else:
        status = service.status_of(deck)
    context: dict[str, Any] = {"deck": deck, "status": status}
    if presentation is None:
        picked = service.next_card(user, deck, status, now)
        if picked:
            presentation = service.present(user, *picked, now)
    if presentation is not None:
        context.update(card_context(presentation, result, revealed))
    else:
        context.update(done_context(status, now))
        context["suspended"] = status.suspended
        context["more_new"] = status.new_left > status.new_available
    return context


def done_context(status: service.DeckStatus, now: datetime) -> dict[str, Any]:
    """Nothing to show now: a learning card due within the hour is counted down to and brought
    back by the page itself; a card due now but over today's limit says so."""
    if status.next_due is None:
        return {}
    seconds = math.ceil((status.next_due - now).total_seconds())
    if seconds <= 0:
        return {"limit_reached": True}
    if seconds > COUNTDOWN_WITHIN:
        return {}
    return {"next_in_seconds": seconds, "next_in_text": f"{seconds // 60}:{seconds % 60:02d}"}


def card_context(
    presentation: Presentation, result: Grade | None, revealed: bool
) -> dict[str, Any]:
    """What the card fragment shows: the question, or the answer with the rating buttons.

    A presentation already answered shows its recorded answer and result, whoever asks.
    """
    card = presentation.card
    content = card.text().content
    if presentation.checked_at is not None:
        revealed = True
        if result is None and card.kind_spec.auto_graded and presentation.correct is not None:
            result = card.kind_spec.grade(content, presentation.answer)
    context: dict[str, Any] = {
        "presentation": presentation,
        "card": card,
        "kind_spec": card.kind_spec,
        "content": content,
        "front": render_markdown(content["front"]),
        "back": render_markdown(content.get("back", "")),
        "result": result,
        "revealed": revealed,
    }
    # Read with the presentation where it could be (`flagged`), else here.
    flagged = getattr(presentation, "flagged", None)
    if flagged is None:
        flagged = CardMark.objects.filter(
            user=presentation.user_id, card=card, flagged=True
        ).exists()
    context["flagged"] = flagged
    context.update(card.kind_spec.study_page(presentation, content))
    context["buttons"] = rating_buttons(presentation) if context["revealed"] else []
    return context


def rating_buttons(presentation: Presentation) -> list[dict[str, Any]]:
    """The allowed ratings, each with the interval it applies (stored when the card was shown)."""
    allowed = service.allowed_ratings(presentation)
    default = 1 if allowed == [1] else 3
    return [
        {
            "value": rating,
            "label": RATING_LABELS[rating],
            "interval": scheduling.interval_label(
                presentation.checked_at or presentation.shown_at,
                scheduling.due_of(presentation.outcomes[str(rating)]),
            ),
            "default": rating == default,
        }
        for rating in allowed
    ]


def choice_context(presentation: Presentation, content: ChoiceContent) -> dict[str, Any]:
    """A choice card says whether more than one option is right."""
    return {"multiple": sum(o["correct"] for o in content["options"]) > 1}


def order_context(presentation: Presentation, content: OrderContent) -> dict[str, Any]:
    """An order card shows its items shuffled, the same way for one presentation."""
    items = content["items"]
    permutation = order_permutation(str(presentation.token), len(items))
    given = presentation.answer if isinstance(presentation.answer, list) else []
    return {
        "shuffled": [(i, items[i]) for i in permutation],
        # What the learner entered, in their order, to set beside the right one.
        "given": [items[i] for i in given if isinstance(i, int) and 0 <= i < len(items)],
    }
