"""The learner's settings page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from quiz.learners.forms import SettingsForm
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
