"""One Runner for the whole runner suite, and a helper that runs dedented snippets."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from runner import ProcessLauncher, Runner, pythons
from tests.conftest import require

# The interpreters besides the default one that learners' code runs on (CI's image has them).
OTHER_PYTHONS = ("3.12", "3.13")


@pytest.fixture(scope="session", params=["default", "process", *OTHER_PYTHONS])
def shared_runner(request: pytest.FixtureRequest) -> Iterator[Runner]:
    """The runner the app gets (bubblewrap where it works), the plain process sandbox, and the
    app's runner on each other Python."""
    if request.param in OTHER_PYTHONS:
        series = request.param
        found = any(python.series == series for python in pythons.discover())
        require(found, f"Python {series} (pyenv, uv, Debian or RUNNER_PYTHONS)")
        with Runner(python=series) as runner:
            yield runner
        return
    launcher = ProcessLauncher() if request.param == "process" else None
    with Runner(launcher=launcher) as runner:
        yield runner


@pytest.fixture
def run(shared_runner: Runner) -> Callable[..., dict[str, Any]]:
    def run(source: str, **options: Any) -> dict[str, Any]:
        return shared_runner.run(textwrap.dedent(source), **options)

    return run


def kinds(verdict: dict[str, Any]) -> list[str]:
    return [event["kind"] for event in verdict["events"]]
