"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from quiz.runs.sandbox import sandbox_warning


def sandbox(request: HttpRequest) -> dict[str, Any]:
    """Every page warns when learners' code would run without bubblewrap."""
    return {"sandbox_warning": sandbox_warning()}
