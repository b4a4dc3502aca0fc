"""Uploads over the limit are refused before their body is read (or parsed for its CSRF token)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from quiz import roles
from quiz.authoring.forms import DeckFilesForm


class UploadLimitMiddleware:
    """A multipart post whose Content-Length is over UPLOAD_MAX_BYTES gets a 413 at once.

    It answers in __call__, before any view middleware (CSRF's reads the body for its token)
    and before Django parses the body; the upload page shows the limit as the form's error.
    A proxy in front should refuse far larger bodies before they reach Django (see README).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.UPLOAD_MAX_BYTES:
                return refuse(request, length)
        return self.get_response(request)


def refuse(request: HttpRequest, length: int) -> HttpResponse:
    message = _("The upload is %(size)s MB; uploads may be at most %(limit)s MB.") % {
        "size": f"{length / 1e6:.1f}",
        "limit": f"{settings.UPLOAD_MAX_BYTES / 1e6:g}",
    }
    if request.path == reverse("author-upload") and roles.allows(request.user, roles.Action.AUTHOR):
        form = DeckFilesForm(data={}, files={})
        form.is_valid()
        form.errors.clear()
        form.add_error("files", message)
        context = {"form": form, "plan": None, "applying": None}
        return render(request, "quiz/author/upload.html", context, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
