"""The verdict: one JSON-ready dict built from a run's outcome and the harness's report."""

from __future__ import annotations

import json
import signal
from typing import Any

from runner.launchers import Outcome


class ChannelError(ValueError):
    """The channel did not carry exactly one well-formed report for this run."""

    def __init__(self, en: str, ru: str) -> None:
        super().__init__(en)
        self.message = {"en": en, "ru": ru}


def read_report(channel: bytes, nonce: str) -> dict[str, Any]:
    """The harness's one length-prefixed report, or ChannelError for anything else."""
    if not channel:
        raise ChannelError(
            "The program ended without the runner's report (did it exit with os._exit?).",
            "Программа завершилась без отчёта запускающей системы (не через os._exit ли?).",
        )
    size = int.from_bytes(channel[:4], "big") if len(channel) >= 4 else -1
    if size != len(channel) - 4:
        raise ChannelError(
            "The runner's report channel held something besides the report; the run cannot "
            "be trusted.",
            "В канале отчёта оказалось что-то кроме самого отчёта; запуску нельзя доверять.",
        )
    try:
        report = json.loads(channel[4:])
    except (UnicodeDecodeError, ValueError):
        report = None
    if not isinstance(report, dict) or report.get("nonce") != nonce:
        raise ChannelError(
            "The runner's report is not this run's; the run cannot be trusted.",
            "Отчёт о запуске принадлежит не этому запуску; запуску нельзя доверять.",
        )
    if report.get("status") not in {"ok", "error", "deadlock", "virtual_timeout"}:
        raise ChannelError(
            "The runner's report has no valid status; the run cannot be trusted.",
            "В отчёте о запуске нет правильного статуса; запуску нельзя доверять.",
        )
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


def _killed_message(returncode: int | None) -> dict[str, str]:
    number = -returncode if returncode is not None and returncode < 0 else 0
    if number == signal.SIGXCPU:
        return {
            "en": "The program used up its CPU time limit and was stopped.",
            "ru": "Программа исчерпала лимит процессорного времени и была остановлена.",
        }
    if number == signal.SIGKILL:
        return {
            "en": "The program was killed (it used too much memory or CPU time).",
            "ru": "Программа была принудительно остановлена (слишком много памяти или "
            "процессорного времени).",
        }
    if number == signal.SIGSEGV:
        return {
            "en": "The Python process crashed (segmentation fault).",
            "ru": "Процесс Python аварийно завершился (segmentation fault).",
        }
    name = signal.Signals(number).name if number else "?"
    return {
        "en": f"The program was killed by signal {name}.",
        "ru": f"Программа была остановлена сигналом {name}.",
    }


def assemble(outcome: Outcome, nonce: str, sandbox: str, limits_wall: float) -> dict[str, Any]:
    """The verdict for one run; never a success unless the channel held this run's report."""
    report: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    try:
        report = read_report(outcome.channel, nonce)
    except ChannelError as problem:
        error = problem.message
    if outcome.output_truncated:
        status = "output_limit"
        error = {
            "en": "The program printed more than the output limit; it was stopped.",
            "ru": "Программа напечатала больше допустимого объёма вывода и была остановлена.",
        }
        report = None
    elif outcome.killed == "timeout":
        status = "timeout"
        error = {
            "en": f"The program did not finish within {limits_wall:g} s of real time; it was "
            "stopped.",
            "ru": f"Программа не завершилась за {limits_wall:g} с реального времени и была "
            "остановлена.",
        }
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
        "concurrency": concurrency(tasks, virtual),
        "output_truncated": outcome.output_truncated,
        "sandbox": sandbox,
        "error": error,
    }
