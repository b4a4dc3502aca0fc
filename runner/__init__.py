"""loopdeck's runner: runs asyncio snippets in a sandbox under a virtual clock and judges them."""

from __future__ import annotations

from runner.bwrap import bwrap_available, sandbox_kind
from runner.checks import SpecError
from runner.launch import Limits, Outcome, ProcessLauncher
from runner.runner import Runner

__all__ = [
    "Limits",
    "Outcome",
    "ProcessLauncher",
    "Runner",
    "SpecError",
    "bwrap_available",
    "sandbox_kind",
]
