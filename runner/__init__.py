"""loopdeck's runner: runs asyncio snippets in a sandbox under a virtual clock and judges them."""

from __future__ import annotations

from runner.checks import SpecError
from runner.launchers import Outcome
from runner.launchers.process import ProcessLauncher
from runner.launchers.sandbox import bwrap_available, sandbox_kind
from runner.limits import Limits
from runner.pythons import PythonNotFound
from runner.runner import Runner

__all__ = [
    "Limits",
    "Outcome",
    "ProcessLauncher",
    "PythonNotFound",
    "Runner",
    "SpecError",
    "bwrap_available",
    "sandbox_kind",
]
