"""The app's door to the runner: the process's warm Runner, which sandbox it uses, and the system
check that guards production."""

from __future__ import annotations

import threading
from typing import Any, cast

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

from quiz.runs.verdicts import Verdict
from runner import bwrap_available as bubblewrap_available

_lock = threading.Lock()
_runner: Any = None


def runner() -> Any:
    """The process's Runner, started on first use (it keeps warm sandboxed processes)."""
    global _runner
    with _lock:
        if _runner is None:
            from runner import Runner

            _runner = Runner()
            _runner.__enter__()
        return _runner


def run(source: str, spec: dict[str, Any] | None = None, owner: int | None = None) -> Verdict:
    """owner (the learner's user id) shares the sandbox's slots fairly with other learners."""
    return cast(Verdict, runner().run(source, spec=spec, owner=owner))


def predict_output(snippet: str) -> tuple[str, str]:
    """What a predict card's snippet prints, and how it ends (ok, deadlock, error…), run in the
    sandbox on the virtual clock."""
    verdict = run(snippet)
    return verdict["stdout"], verdict["status"]


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
