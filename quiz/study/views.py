"""Learner-facing pages: the deck list, and the study loop (htmx fragments)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import retarget

from quiz.models import Deck, Presentation
from quiz.study import reads, service
from quiz.study.forms import AnswerForm, RatingForm
from quiz.study.grading import Grade
from quiz.study.presenters import card_context, study_context


def home(request: HttpRequest) -> HttpResponse:
    return redirect("decks" if request.user.is_authenticated else "login")


@login_required
def deck_list(request: HttpRequest) -> HttpResponse:
    decks = list(Deck.objects.studyable().prefetch_related("texts"))
    statuses = service.deck_statuses(request.user, decks)
    return render(request, "quiz/decks.html", {"statuses": statuses})


@login_required
def study(request: HttpRequest, slug: str) -> HttpResponse:
    now = timezone.now()
    decks = service.with_status(Deck.objects.studyable(), request.user, now)
    if not request.htmx:  # The whole page names the deck (the card fragment does not).
        decks = decks.prefetch_related("texts")
    deck = get_object_or_404(decks, slug=slug)
    return render_study(request, deck, now=now)


@login_required
@require_POST
def check(request: HttpRequest, token: str) -> HttpResponse:
    """Reveal a basic card, or grade an auto-graded card's answer; then show the grade buttons."""
    presentation = _own_presentation(request, token, schedule=True)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("That answer could not be read."), status=400)
    try:
        result = service.check(presentation, form.answer_for(presentation.card.kind))
    except service.AnswerRefused as refused:
        return retarget(_refused(request, presentation.card.deck, refused), "#card")
    if request.htmx:
        # Only the card's back changes (the answer, the result, the ratings): the rest of the
        # card and the deck's counts stay as they are, so neither is read nor drawn again.
        context = card_context(presentation, result, revealed=True)
        return render(request, "quiz/study.html#card-back", context)
    return render_study(
        request, presentation.card.deck, presentation=presentation, result=result, revealed=True
    )


@login_required
@require_POST
def answer(request: HttpRequest, token: str) -> HttpResponse:
    form = RatingForm(request.POST)
    try:
        with transaction.atomic():
            # Read once, locked, for the whole answer.
            presentation = _own_presentation(request, token, lock=True)
            deck = presentation.card.deck
            if not form.is_valid():
                return HttpResponse(_("Choose a rating from 1 to 4."), status=400)
            now = timezone.now()
            duration = service.answer_duration_ms(presentation, now)
            service.answer(presentation, form.cleaned_data["rating"], duration, now)
    except service.AnswerRefused as refused:
        return _refused(request, deck, refused)
    if not request.htmx:
        return redirect("study", slug=deck.slug)
    return render_study(request, deck)


@login_required
@require_POST
def undo(request: HttpRequest, slug: str) -> HttpResponse:
    deck = get_object_or_404(Deck, slug=slug)
    card = service.undo_last(request.user, deck)
    if card is None:
        messages.info(request, _("Nothing to undo."))
    if not request.htmx:
        return redirect("study", slug=deck.slug)
    return render_study(request, deck)


@login_required
@require_POST
def study_more(request: HttpRequest, slug: str) -> HttpResponse:
    """Raise today's new-card limit of the deck, and go on studying."""
    deck = get_object_or_404(Deck.objects.studyable(), slug=slug)
    service.study_more(request.user, deck, timezone.now())
    return _after_change(request, deck)


@login_required
@require_POST
def unsuspend(request: HttpRequest, slug: str) -> HttpResponse:
    deck = get_object_or_404(Deck.objects.studyable(), slug=slug)
    count = service.unsuspend_all(request.user, deck)
    messages.info(
        request, ngettext("%(n)d card is back.", "%(n)d cards are back.", count) % {"n": count}
    )
    return _after_change(request, deck)


@login_required
@require_POST
def mark(request: HttpRequest, token: str, what: str) -> HttpResponse:
    """Bury (until tomorrow), suspend or flag the card on screen."""
    presentation = _own_presentation(request, token)
    card, deck = presentation.card, presentation.card.deck
    if what == "bury":
        service.bury(request.user, card, timezone.now())
        messages.info(request, _("Buried until tomorrow."))
    elif what == "suspend":
        service.suspend(request.user, card)
        messages.info(request, _("Suspended: this card stays away until you bring it back."))
    else:
        presentation.flagged = service.toggle_flag(request.user, card)
        if request.htmx:
            return render_study(request, deck, presentation=presentation)
    return _after_change(request, deck)


def _after_change(request: HttpRequest, deck: Deck) -> HttpResponse:
    if not request.htmx:
        return redirect("study", slug=deck.slug)
    return render_study(request, deck)


def _own_presentation(
    request: HttpRequest, token: UUID, lock: bool = False, schedule: bool = False
) -> Presentation:
    """Only the learner a card was shown to may act on it; anyone else gets a 404.

    Read in one query (`reads.presentation`): locked with the learner's progress for the answer
    (`lock`), else with what the card fragment shows, and with `schedule` what scheduling the
    card needs too (the learner's progress and retention); the deck's texts for a whole page."""
    presentation = reads.presentation(
        token, request.user, lock=lock, schedule=schedule, shown=not lock
    )
    if presentation is None:
        raise Http404
    if not lock and not request.htmx:
        prefetch_related_objects([presentation.card.deck], "texts")
    return presentation


def _refused(request: HttpRequest, deck: Deck, refused: service.AnswerRefused) -> HttpResponse:
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
    now: datetime | None = None,
) -> HttpResponse:
    """The study page, or only its card fragment for htmx requests."""
    context = study_context(request.user, deck, presentation, result, revealed, now)
    template = "quiz/study.html#card" if request.htmx else "quiz/study.html"
    return render(request, template, context)
