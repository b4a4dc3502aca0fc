"""One Runner for the whole runner suite, and a helper that runs dedented snippets."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from runner import ProcessLauncher, Runner


@pytest.fixture(scope="session", params=["default", "process"])
def shared_runner(request: pytest.FixtureRequest) -> Iterator[Runner]:
    """The runner the app gets (bubblewrap where it works), and the plain process sandbox."""
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
