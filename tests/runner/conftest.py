"""One Runner for the whole runner suite, and a helper that runs dedented snippets."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from runner import Runner


@pytest.fixture(scope="session")
def shared_runner() -> Iterator[Runner]:
    with Runner() as runner:
        yield runner


@pytest.fixture
def run(shared_runner: Runner) -> Callable[..., dict[str, Any]]:
    def run(source: str, **options: Any) -> dict[str, Any]:
        return shared_runner.run(textwrap.dedent(source), **options)

    return run


def kinds(verdict: dict[str, Any]) -> list[str]:
    return [event["kind"] for event in verdict["events"]]
