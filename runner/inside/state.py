"""The run this process serves, for the patched functions to report to (one run per process).

Set by runner/inside/harness.py's serve_one before anything is patched; None until then, and
every patch then behaves as the function it replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.inside.clock import VirtualClock
    from runner.inside.harness import Run

run: Run | None = None


def clock() -> VirtualClock | None:
    """The run's virtual clock; None before the run and on the real clock (--real-time)."""
    return run.clock if run is not None else None
