"""The launcher seam: how a run's process is started, limited, watched and killed.

process.py (a plain child process, the fallback), bwrap.py (a fresh bubblewrap sandbox per
run), warm.py (pre-imported zygotes in bubblewrap), choice.py (the strongest one here), with
sandbox.py (bubblewrap's command line and uids), seccomp.py, pipes.py (reading a run's output)
and shipping.py (getting runner/inside/ into the sandbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from runner.limits import Limits


@dataclass
class Outcome:
    """What came out of one run's process, before anyone interprets it."""

    stdout: bytes
    stderr: bytes
    channel: bytes
    returncode: int | None
    wall_seconds: float
    # Why the host (or the kernel, for it) killed the run: "timeout" at its wall-clock limit,
    # "memory" at its memory cap, "cpu" when its processes together spent their CPU time;
    # else None.
    killed: str | None = None
    output_truncated: bool = False
    # The verdict's message for a memory or CPU kill (runner/messages.py), with its limit.
    killed_message: dict[str, Any] | None = None


class Launcher(Protocol):
    """Starts one isolated process per run; `name` goes into the verdict's `sandbox` field."""

    name: str

    def launch(self, request: bytes, limits: Limits) -> Outcome: ...

    def close(self) -> None: ...
