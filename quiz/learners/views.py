"""The learner's settings page, and taking a deck to Anki."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from quiz.decks.anki import apkg_bytes
from quiz.learners.forms import SettingsForm
from quiz.models import Deck
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
def anki_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The deck as an Anki package, in the reader's language."""
    deck = get_object_or_404(Deck.objects.studyable().prefetch_related("texts"), slug=slug)
    response = HttpResponse(apkg_bytes(deck, get_language()), content_type="application/apkg")
    response["Content-Disposition"] = f'attachment; filename="{deck.slug}.apkg"'
    return response
