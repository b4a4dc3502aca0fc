"""Times on pages are shown in the signed-in learner's own time zone."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from quiz.study.scheduling import learner_day


class LearnerTimeZoneMiddleware:
    """Activate the learner's time zone for the request (after AuthenticationMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # The user is read here anyway: the view gets it as itself, not behind the lazy
            # wrapper every attribute and ORM lookup would go through (as auth.login sets it).
            request.user = user = getattr(user, "_wrapped", user)
            timezone.activate(learner_day(user).zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
