"""Which sandbox runs learners' code here, and the system check that guards production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

from runner import bwrap_available as bubblewrap_available


def sandbox_warning() -> str:
    if bubblewrap_available():
        return ""
    return str(
        _(
            "bubblewrap is not installed: learners' code runs in a weaker process sandbox. "
            "Do not serve untrusted learners like this."
        )
    )


@checks.register(checks.Tags.security, deploy=False)
def check_sandbox(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG or bubblewrap_available():
        return []
    return [
        checks.Error(
            "bubblewrap (bwrap) is missing or cannot build its sandbox here, so learners' code "
            "would run without isolation.",
            hint="Install the Debian package 'bubblewrap', or set DEBUG=1 for local development.",
            id="quiz.E001",
        )
    ]
