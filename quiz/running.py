"""The app's door to the runner: one warm Runner per process, shared by requests and tasks."""

from __future__ import annotations

import threading
from typing import Any

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


def run(source: str, spec: dict[str, Any] | None = None) -> dict[str, Any]:
    return runner().run(source, spec=spec)


def predict_output(snippet: str) -> tuple[str, str]:
    """What a predict card's snippet prints, and how it ends (ok, deadlock, error…), run in the
    sandbox on the virtual clock."""
    verdict = run(snippet)
    return verdict["stdout"], verdict["status"]
