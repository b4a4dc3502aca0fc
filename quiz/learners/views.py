"""The learner's settings page, their flagged and suspended cards, and taking a deck to Anki."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quiz.decks.anki import apkg_bytes
from quiz.learners import service
from quiz.learners.forms import SettingsForm
from quiz.models import CardMark, Deck
from quiz.study.scheduling import learner_settings


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    current = learner_settings(request.user)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("learner_settings")
    return render(request, "quiz/learners/settings.html", {"form": form})


@login_required
def marked_cards(request: HttpRequest) -> HttpResponse:
    """The learner's flagged and suspended cards, to unflag or bring back."""
    return render(request, "quiz/learners/marks.html", {"marks": service.marks_of(request.user)})


@login_required
@require_POST
def lift_mark(request: HttpRequest, mark_id: int, what: service.Mark) -> HttpResponse:
    """Unflag or unsuspend one of the learner's own cards (anyone else's: 404)."""
    mark = get_object_or_404(CardMark, pk=mark_id, user=request.user)
    service.lift(mark, what)
    if what == "flag":
        messages.success(request, _("The flag is off."))
    else:
        messages.success(request, _("The card is back in study."))
    if not request.htmx:
        return redirect("marked_cards")
    context = {"marks": service.marks_of(request.user)}
    return render(request, "quiz/learners/marks.html#marks", context)


@login_required
def anki_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The deck as an Anki package, in the reader's language."""
    deck = get_object_or_404(Deck.objects.studyable().prefetch_related("texts"), slug=slug)
    response = HttpResponse(apkg_bytes(deck, get_language()), content_type="application/apkg")
    response["Content-Disposition"] = f'attachment; filename="{deck.slug}.apkg"'
    return response
