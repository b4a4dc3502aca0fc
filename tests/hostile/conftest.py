"""Runners on the warm and the cold bubblewrap path, and the host's listeners."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from runner import Runner, bwrap_available
from runner.launchers.bwrap import BwrapLauncher
from runner.launchers.warm import WarmPool
from tests.conftest import require
from tests.hostile import host
from tests.hostile.host import HOSTILE_LIMITS, Listeners, open_listeners
from tests.hostile.snippets import SECRET


@pytest.fixture(scope="session", autouse=True)
def host_secret() -> Iterator[None]:
    """The secret is in the host's environment before any sandbox exists: no run may see it."""
    previous = os.environ.get("SECRET_KEY")
    os.environ["SECRET_KEY"] = SECRET
    yield
    if previous is None:
        del os.environ["SECRET_KEY"]
    else:
        os.environ["SECRET_KEY"] = previous


@pytest.fixture(scope="package", autouse=True)
def processes_before_the_suite() -> None:
    """Remember what earlier tests left adopted by this process, before any hostile run."""
    host.BEFORE_THE_SUITE.update(host.leftover_processes())


@pytest.fixture(scope="session")
def listeners() -> Iterator[Listeners]:
    with open_listeners() as listeners:
        yield listeners


def make_runner(path: str, **options: Any) -> Runner:
    """A Runner on the warm (zygote) or the cold (fresh bwrap per run) path."""
    require(bwrap_available(), "bubblewrap (bwrap)")
    launcher = WarmPool(**options) if path == "warm" else BwrapLauncher(**options)
    return Runner(launcher=launcher, limits=HOSTILE_LIMITS)


@pytest.fixture(scope="module", params=["warm", "cold"])
def runner(request: pytest.FixtureRequest) -> Iterator[Runner]:
    with make_runner(request.param) as runner:
        yield runner
