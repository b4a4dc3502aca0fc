"""The verdict: one JSON-ready dict built from a run's outcome and the harness's report."""

from __future__ import annotations

import json
import signal
from typing import Any

from runner.bounded import NAME_CHARS, TEXT_CHARS, Cuts, number, output, plain, text
from runner.launchers import Outcome
from runner.messages import english, message
from runner.protocol import unframe

# Host-side caps on a report's lists (the harness keeps fewer; a forged report may not).
MAX_EVENTS = 200
MAX_TASKS = 1000


class ChannelError(ValueError):
    """The channel did not carry exactly one well-formed report for this run."""

    def __init__(self, code: str) -> None:
        self.message = message(code)
        super().__init__(english(self.message))


def read_report(channel: bytes, nonce: str) -> dict[str, Any]:
    """The harness's one report message, or ChannelError for anything else (any bytes, of any
    shape or depth, give one or the other; nothing else is raised)."""
    if not channel:
        raise ChannelError("report_missing")
    try:
        # The channel is capped as it is read (runner/launchers/pipes.py).
        body = unframe(channel, limit=None)
    except ValueError:
        raise ChannelError("report_extra_bytes") from None
    try:
        report = json.loads(body)
    except (ValueError, RecursionError, MemoryError):
        # Invalid UTF-8 or JSON, digits past int's limit, or nesting past the parser's depth.
        report = None
    if not isinstance(report, dict) or report.get("nonce") != nonce:
        raise ChannelError("report_wrong_run")
    if report.get("status") not in {"ok", "error", "deadlock", "virtual_timeout"}:
        raise ChannelError("report_bad_status")
    return report


def _malformed() -> ChannelError:
    return ChannelError("report_malformed")


def _event(value: Any, cuts: Cuts) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise _malformed()
    event = plain(value, cuts)
    # Names are shorter than other text (plain() cut them to TEXT_CHARS already).
    event["kind"] = text(event["kind"], NAME_CHARS, cuts)
    if isinstance(event.get("task"), str):
        event["task"] = text(event["task"], NAME_CHARS, cuts)
    event["line"] = _line(event.get("line"))
    try:
        # The app and the CLI put every message into words: each must have its template's
        # params (a forged report could name any code, with any params).
        english(event["message"])
    except Exception:  # noqa: BLE001 - whatever a forged message breaks, it is malformed
        raise _malformed() from None
    return event


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _intervals(value: Any) -> list[list[float]]:
    if not isinstance(value, list):
        return []
    return [
        [pair[0], pair[1]]
        for pair in value
        if isinstance(pair, list)
        and len(pair) == 2
        and all(number(moment) is not None for moment in pair)
    ]


def _span(value: Any, cuts: Cuts) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _malformed()
    # Everything in a span is a name (the task's, its coroutine's, its exception's type).
    span = plain(value, cuts, NAME_CHARS, depth=4)
    name = span.get("name")
    span["name"] = name if isinstance(name, str) else text(str(name), NAME_CHARS, cuts)
    for key in ("created", "started", "finished"):
        span[key] = number(span.get(key))
    for key in ("blocked", "awaiting_tasks"):
        span[key] = _intervals(span.get(key))
    return span


def _bounded_list(report: dict[str, Any], key: str, most: int, cuts: Cuts) -> list[Any]:
    items = report.get(key, [])
    if not isinstance(items, list):
        raise _malformed()
    if len(items) > most:
        cuts[key] += len(items) - most
    return items[:most]


def report_parts(report: dict[str, Any], cuts: Cuts) -> dict[str, Any]:
    """The report's parts as the verdict holds them, bounded (ChannelError if malformed)."""
    events = [_event(item, cuts) for item in _bounded_list(report, "events", MAX_EVENTS, cuts)]
    tasks = [_span(item, cuts) for item in _bounded_list(report, "tasks", MAX_TASKS, cuts)]
    exception = report.get("exception")
    if exception is not None:
        if not isinstance(exception, dict) or not isinstance(exception.get("type"), str):
            raise _malformed()
        exception = plain(exception, cuts, depth=4)
        if not isinstance(exception, dict) or not isinstance(exception.get("type"), str):
            raise _malformed()  # the report's values ran out before its exception
        exception["type"] = text(exception["type"], NAME_CHARS, cuts)
        exception["line"] = _line(exception.get("line"))
        if not isinstance(exception.get("message"), str):
            exception["message"] = ""
    exit_code = report.get("exit_code")
    return {
        "exit_code": exit_code if _line(exit_code) is not None else None,
        "exception": exception,
        "virtual_seconds": number(report.get("virtual_seconds")) or 0.0,
        "real_time": report.get("real_time") is True,
        "events": events,
        "tasks": tasks,
        # Every task the program created, though the report keeps the spans of the first ones.
        "task_count": _count(report.get("task_count"), len(tasks)),
    }


def _count(value: Any, at_least: int) -> int:
    exact = isinstance(value, int) and not isinstance(value, bool) and value >= at_least
    return value if exact else at_least


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
    """The verdict for one run; never a success unless the channel held this run's report.

    Bounded and storable whatever the run sent (runner/bounded.py): the caller cuts it to size
    with bounded.fit once it is complete (checks included).
    """
    cuts = Cuts()
    parts: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    status = "error"
    try:
        report = read_report(outcome.channel, nonce)
        parts = report_parts(report, cuts)
        status = report["status"]
    except ChannelError as problem:
        error = problem.message
    except Exception:  # noqa: BLE001 - whatever a forged report breaks, it is not trusted
        error = message("report_malformed")
    if outcome.output_truncated:
        status = "output_limit"
        error = message("output_limit")
        parts = None
    elif outcome.killed == "timeout":
        status = "timeout"
        error = message("timeout", seconds=f"{limits_wall:g}")
        parts = None
    elif outcome.killed is not None:
        # The kernel's memory cap, or the run's CPU time across its processes.
        status = "killed"
        error = outcome.killed_message or _killed_message(outcome.returncode)
        parts = None
    elif parts is None:
        killed = outcome.returncode is not None and outcome.returncode < 0
        status = "killed" if killed else "error"
        error = _killed_message(outcome.returncode) if killed else error
    exit_code = outcome.returncode if status == "error" else None
    parts = parts or {
        # Without a report, an ordinary exit still has a code worth showing (os._exit(0)).
        "exit_code": exit_code,
        "exception": None,
        "virtual_seconds": 0.0,
        "real_time": False,
        "events": [],
        "tasks": [],
        "task_count": 0,
    }
    verdict = {
        "status": status,
        "stdout": output(outcome.stdout, cuts),
        "stderr": output(outcome.stderr, cuts),
        "exit_code": parts["exit_code"],
        "exception": parts["exception"],
        "virtual_seconds": round(parts["virtual_seconds"], 9),
        "wall_seconds": round(outcome.wall_seconds, 6),
        "real_time": parts["real_time"],
        "events": parts["events"],
        "tasks": parts["tasks"],
        "task_count": parts["task_count"],
        "concurrency": concurrency(parts["tasks"], parts["virtual_seconds"]),
        "output_truncated": outcome.output_truncated,
        "sandbox": sandbox,
        "error": error,
    }
    verdict["cut"] = cuts.note()
    return verdict


def refusal(reason: str, sandbox: str = "") -> dict[str, Any]:
    """The verdict when nothing ran: the CLI's for an unreadable file or spec, say."""
    cuts = Cuts()
    return {
        "status": "error",
        "stdout": "",
        "stderr": "",
        "exit_code": None,
        "exception": None,
        "virtual_seconds": 0.0,
        "wall_seconds": 0.0,
        "real_time": False,
        "events": [],
        "tasks": [],
        "concurrency": 0,
        "output_truncated": False,
        "sandbox": sandbox,
        "error": message("runner_refused", reason=text(reason, TEXT_CHARS, cuts)),
        "cut": cuts.note(),
    }
