"""The app's door to the runner: the process's warm Runner, which sandbox it uses, and the system
check that guards production."""

from __future__ import annotations

import threading
from typing import Any, cast

from django.conf import settings
from django.core import checks
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

from quiz.models import CardText
from quiz.runs.verdicts import Verdict
from runner import bwrap_available as bubblewrap_available
from runner.pythons import PythonNotFound, choose

_lock = threading.Lock()
_runner: Any = None


def runner() -> Any:
    """The process's Runner, started on first use (it keeps warm sandboxed processes)."""
    global _runner
    with _lock:
        if _runner is None:
            from runner import Runner

            _runner = Runner(pythons=settings.RUNNER_PYTHONS or None)
            _runner.__enter__()
        return _runner


def run(
    source: str,
    spec: dict[str, Any] | None = None,
    python: str | None = None,
    owner: int | None = None,
) -> Verdict:
    """One run in the sandbox; python names its interpreter ("3.12"), else the default one;
    owner (the learner's user id) shares the sandbox's slots fairly with other learners.

    Raises runner.pythons.PythonNotFound for an interpreter that is not here.
    """
    return cast(Verdict, runner().run(source, spec=spec, python=python, owner=owner))


def predict_output(snippet: str, python: str | None = None) -> tuple[str, str]:
    """What a predict card's snippet prints, and how it ends (ok, deadlock, error…), run in the
    sandbox on the virtual clock."""
    verdict = run(snippet, python=python)
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


def find_python(version: str) -> str:
    """The exact version that runs `version` ("3.12" → "3.12.1"); PythonNotFound, listing what
    exists, when none does."""
    return choose(version, settings.RUNNER_PYTHONS or None).version


def missing_pythons(named: dict[str, set[str]]) -> dict[str, set[str]]:
    """Of the interpreters decks name ({version: {deck slugs}}), those not found here."""
    missing = {}
    for version, decks in named.items():
        try:
            find_python(version)
        except PythonNotFound:
            missing[version] = decks
    return missing


@checks.register(checks.Tags.compatibility)
def check_pythons(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn about a Python a deck or card names (`python: "3.12"`) that is not found here."""
    named: dict[str, set[str]] = {}
    try:
        rows = CardText.objects.filter(content__has_key="python").values_list(
            "card__deck__slug", "content__python"
        )
        for slug, versions in rows.distinct():
            for version in versions or []:
                named.setdefault(version, set()).add(slug)
    except DatabaseError:
        return []  # Not migrated yet: nothing to check.
    return [
        checks.Warning(
            f"Python {version} is named by deck(s) {', '.join(sorted(decks))} but is not found "
            "here, so their cards' code cannot run.",
            hint="Install it (pyenv, uv or Debian's python3.X), or list its path in "
            "RUNNER_PYTHONS; `python -m runner pythons` shows what is found.",
            id="quiz.W001",
        )
        for version, decks in sorted(missing_pythons(named).items())
    ]
