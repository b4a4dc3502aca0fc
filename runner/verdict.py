"""The verdict: one JSON-ready dict built from a run's outcome and the harness's report."""

from __future__ import annotations

import json
import signal
from typing import Any

from runner.launchers import Outcome
from runner.messages import english, message
from runner.protocol import unframe


class ChannelError(ValueError):
    """The channel did not carry exactly one well-formed report for this run."""

    def __init__(self, code: str) -> None:
        self.message = message(code)
        super().__init__(english(self.message))


def read_report(channel: bytes, nonce: str) -> dict[str, Any]:
    """The harness's one report message, or ChannelError for anything else."""
    if not channel:
        raise ChannelError("report_missing")
    try:
        # The channel is capped as it is read (runner/launchers/pipes.py).
        body = unframe(channel, limit=None)
    except ValueError:
        raise ChannelError("report_extra_bytes") from None
    try:
        report = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        report = None
    if not isinstance(report, dict) or report.get("nonce") != nonce:
        raise ChannelError("report_wrong_run")
    if report.get("status") not in {"ok", "error", "deadlock", "virtual_timeout"}:
        raise ChannelError("report_bad_status")
    return report


def concurrency(tasks: list[dict[str, Any]], end: float) -> int:
    """The most tasks doing their own work at one virtual moment.

    A task counts from its first step to its end, except while it only waits for other tasks
    (await task, gather, wait, TaskGroup): a main() that awaits two tasks makes 2, not 3.
    """
    edges: list[tuple[float, int]] = []
    for span in tasks:
        if span.get("started") is None:
            continue
        finished = span["finished"] if span.get("finished") is not None else end
        pieces = [(span["started"], finished)]
        for start, stop in sorted(span.get("awaiting_tasks", [])):
            last_start, last_stop = pieces.pop()
            pieces += [(last_start, min(start, last_stop)), (max(stop, last_start), last_stop)]
        for start, stop in pieces:
            if stop > start:
                edges += [(start, 1), (stop, -1)]
    best = current = 0
    # Ends before starts at the same moment: a task that ends as another begins did not overlap.
    for _, step in sorted(edges, key=lambda edge: (edge[0], edge[1])):
        current += step
        best = max(best, current)
    return best


def _killed_message(returncode: int | None) -> dict[str, Any]:
    number = -returncode if returncode is not None and returncode < 0 else 0
    if number == signal.SIGXCPU:
        return message("killed_cpu_limit")
    if number == signal.SIGKILL:
        return message("killed_memory_or_cpu")
    if number == signal.SIGSEGV:
        return message("killed_segfault")
    return message("killed_by_signal", signal=signal.Signals(number).name if number else "?")


def assemble(outcome: Outcome, nonce: str, sandbox: str, limits_wall: float) -> dict[str, Any]:
    """The verdict for one run; never a success unless the channel held this run's report."""
    report: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    try:
        report = read_report(outcome.channel, nonce)
    except ChannelError as problem:
        error = problem.message
    if outcome.output_truncated:
        status = "output_limit"
        error = message("output_limit")
        report = None
    elif outcome.killed == "timeout":
        status = "timeout"
        error = message("timeout", seconds=f"{limits_wall:g}")
        report = None
    elif report is None:
        killed = outcome.returncode is not None and outcome.returncode < 0
        status = "killed" if killed else "error"
        error = _killed_message(outcome.returncode) if killed else error
    else:
        status = report["status"]
    exit_code = outcome.returncode if status == "error" else None
    tasks = report.get("tasks", []) if report else []
    virtual = float(report.get("virtual_seconds", 0.0)) if report else 0.0
    return {
        "status": status,
        "stdout": outcome.stdout.decode("utf-8", "replace"),
        "stderr": outcome.stderr.decode("utf-8", "replace"),
        # Without a report, an ordinary exit still has a code worth showing (os._exit(0)).
        "exit_code": report.get("exit_code") if report else exit_code,
        "exception": report.get("exception") if report else None,
        "virtual_seconds": round(virtual, 9),
        "wall_seconds": round(outcome.wall_seconds, 6),
        "real_time": bool(report.get("real_time")) if report else False,
        "events": report.get("events", []) if report else [],
        "tasks": tasks,
        "task_count": int(report.get("task_count", len(tasks))) if report else 0,
        "concurrency": concurrency(tasks, virtual),
        "output_truncated": outcome.output_truncated,
        "sandbox": sandbox,
        "error": error,
    }
