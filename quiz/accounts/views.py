"""Sign-up (log-in and log-out are Django's own views, throttled by django-axes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from quiz.accounts import throttle
from quiz.learners.forms import SignupForm


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if not throttle.signup_allowed(request):
            refused = _(
                "Too many accounts were created from your network in the last hour. "
                "Please try again later, or ask your teacher."
            )
            context = {"form": form, "refused": refused}
            return render(request, "registration/signup.html", context, status=429)
        if form.is_valid():
            user = form.save()
            throttle.count_signup(request)
            login(request, user, backend="quiz.accounts.backends.LearnerBackend")
            messages.success(request, _("Welcome to loopdeck! Pick a deck to start."))
            return redirect("decks")
    return render(request, "registration/signup.html", {"form": form})
