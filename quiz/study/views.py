"""Learner-facing pages: sign up, the deck list, and the study loop (htmx fragments)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from quiz.models import Deck, Presentation
from quiz.rendering import render_markdown
from quiz.study import scheduling
from quiz.study import service as studying
from quiz.study.forms import AnswerForm, RatingForm
from quiz.study.grading import Grade

RATING_LABELS = {1: _lazy("Again"), 2: _lazy("Hard"), 3: _lazy("Good"), 4: _lazy("Easy")}


def home(request: HttpRequest) -> HttpResponse:
    return redirect("decks" if request.user.is_authenticated else "login")


def signup(request: HttpRequest) -> HttpResponse:
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        messages.success(request, _("Welcome to loopdeck! Pick a deck to start."))
        return redirect("decks")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def deck_list(request: HttpRequest) -> HttpResponse:
    decks = list(Deck.objects.studyable().prefetch_related("texts"))
    statuses = studying.deck_statuses(request.user, decks)
    return render(request, "quiz/decks.html", {"statuses": statuses})


@login_required
def study(request: HttpRequest, slug: str) -> HttpResponse:
    deck = get_object_or_404(Deck.objects.studyable(), slug=slug)
    return render_study(request, deck)


@login_required
@require_POST
def check(request: HttpRequest, token: str) -> HttpResponse:
    """Reveal a basic card, or grade an auto-graded card's answer; then show the grade buttons."""
    presentation = _own_presentation(request, token)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("That answer could not be read."), status=400)
    try:
        result = studying.check(presentation, form.answer_for(presentation.card.kind))
    except studying.AnswerRefused as refused:
        return _refused(request, presentation.card.deck, refused)
    return render_study(
        request, presentation.card.deck, presentation=presentation, result=result, revealed=True
    )


@login_required
@require_POST
def answer(request: HttpRequest, token: str) -> HttpResponse:
    presentation = _own_presentation(request, token)
    deck = presentation.card.deck
    form = RatingForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose a rating from 1 to 4."), status=400)
    now = timezone.now()
    duration = int((now - presentation.shown_at).total_seconds() * 1000)
    try:
        studying.answer(presentation, form.cleaned_data["rating"], duration, now)
    except studying.AnswerRefused as refused:
        return _refused(request, deck, refused)
    if not request.htmx:
        return redirect("study", slug=deck.slug)
    return render_study(request, deck)


@login_required
@require_POST
def undo(request: HttpRequest, slug: str) -> HttpResponse:
    deck = get_object_or_404(Deck, slug=slug)
    card = studying.undo_last(request.user, deck)
    if card is None:
        messages.info(request, _("Nothing to undo."))
    if not request.htmx:
        return redirect("study", slug=deck.slug)
    return render_study(request, deck)


def _own_presentation(request: HttpRequest, token: str) -> Presentation:
    """Only the learner a card was shown to may answer it; anyone else gets a 404."""
    return get_object_or_404(
        Presentation.objects.select_related("card__deck"), token=token, user=request.user
    )


def _refused(request: HttpRequest, deck: Deck, refused: studying.AnswerRefused) -> HttpResponse:
    messages.warning(request, str(refused))
    response = render_study(request, deck)
    response.status_code = refused.status
    return response


def render_study(
    request: HttpRequest,
    deck: Deck,
    presentation: Presentation | None = None,
    result: Grade | None = None,
    revealed: bool = False,
) -> HttpResponse:
    """The study page, or only its card fragment for htmx requests."""
    now = timezone.now()
    status = studying.deck_statuses(request.user, [deck], now)[0]
    context: dict[str, Any] = {"deck": deck, "status": status}
    if presentation is None:
        picked = studying.next_card(request.user, deck, status, now)
        if picked:
            presentation = studying.present(request.user, *picked, now)
    if presentation is not None:
        context.update(card_context(presentation, result, revealed))
    template = "quiz/study.html#card" if request.htmx else "quiz/study.html"
    return render(request, template, context)


def card_context(
    presentation: Presentation, result: Grade | None, revealed: bool
) -> dict[str, Any]:
    """What the card fragment shows: the question, or the answer with the rating buttons."""
    card = presentation.card
    content = card.text().content
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
    if card.kind_spec.study_context:
        context.update(card.kind_spec.study_context(presentation, content))
    context["buttons"] = rating_buttons(presentation) if context["revealed"] else []
    return context


def rating_buttons(presentation: Presentation) -> list[dict[str, Any]]:
    """The allowed ratings, each with the interval it applies (stored when the card was shown)."""
    allowed = studying.allowed_ratings(presentation)
    default = 1 if allowed == [1] else 3
    return [
        {
            "value": rating,
            "label": RATING_LABELS[rating],
            "interval": scheduling.interval_label(
                presentation.shown_at, scheduling.due_of(presentation.outcomes[str(rating)])
            ),
            "default": rating == default,
        }
        for rating in allowed
    ]
