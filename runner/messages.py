"""Every message the runner gives, as a code with params, and the one English text of each code.

A message is `{"code": "<code>", "params": {...}}` (events, check results, verdict errors). The
Python API returns codes and params only; `english(message)` makes the English text, and the
CLI prints it beside the code as `"text"`. The app translates a code's English template with
gettext (the Russian is in its catalog) and formats it the same way.

A param may itself be a message: an optional fragment of the sentence (" at line 7",
" (task Task-2 (worker))"), to be put into words first; "" where the fragment is left out.
Durations are already text, as a learner would write them ("3.0", "0.25"); the unit is in the
template ("{seconds} s"), so a translation can write its own. Lines and counts are integers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def gettext_noop(message: str) -> str:
    """Return message unchanged.

    Named so that Django's makemessages, which extracts gettext_noop(...) strings, puts every
    template below into the app's catalog; the runner itself never translates.
    """
    return message


TEXT: dict[str, str] = {
    # Events (runner/inside/report.py) -----------------------------------------------------
    "blocking_sleep": gettext_noop(
        "time.sleep({seconds}) blocked the event loop for {seconds} s{where}{who}: no other "
        "task could run meanwhile. To pause, await asyncio.sleep(...); if it stands for blocking "
        "work, run that work in a thread: await asyncio.to_thread(...)."
    ),
    "blocking_wait": gettext_noop(
        "{call}() blocked the event loop for {seconds} s{where}{who}: no other task could run "
        "meanwhile. Await an asyncio equivalent, or run it in a thread: await "
        "asyncio.to_thread(...)."
    ),
    "cpu_hog": gettext_noop(
        "{who} held the event loop for {seconds} s of CPU time{where} without reaching an "
        "await: no other task could run meanwhile."
    ),
    "never_awaited": gettext_noop(
        "The coroutine {name}(){where} was never awaited, so its body never ran. Write await "
        "{name}(...) or wrap it in asyncio.create_task(...)."
    ),
    "unretrieved_exception": gettext_noop(
        "Task {task} failed with {exception}{where}, but nothing awaited it or looked at its "
        "result, so the error went unnoticed."
    ),
    "deadlock_task": gettext_noop(
        "Task {task} waits forever{where}{on}: no timer, task or thread is left that could wake it."
    ),
    "deadlock_thread": gettext_noop(
        "Thread {thread} waits forever at line {line}: nothing is left that could end the wait."
    ),
    "deadlock_real_wait": gettext_noop(
        "Thread {thread} waited{where} on something outside the virtual clock (a socket, select, "
        "a lock or a pipe) for {seconds} s of real time with no progress, so the run was stopped: "
        "nothing in the sandbox will ever answer it."
    ),
    "virtual_timeout": gettext_noop(
        "The program was still running after {cap} s of virtual time{seen}; it was stopped. "
        "Does a loop never end?"
    ),
    "task_pending_at_close": gettext_noop(
        "Task {task}{where} was still unfinished when its event loop closed{seen}, so its work "
        "never ended: asyncio.run cancels such tasks without a word. Keep a reference to the "
        "task and await it (or gather it) before the loop closes, or cancel it and await it."
    ),
    "cancelled_not_awaited": gettext_noop(
        "Task {task} was cancelled{where} but never awaited afterwards, so nothing waited for it "
        "to finish cancelling (its cleanup may never have run). After task.cancel(), await the "
        "task (catching asyncio.CancelledError) or gather it with return_exceptions=True."
    ),
    "loop_not_closed": gettext_noop(
        "The event loop{where} was never closed. Call loop.close() when you are done with it "
        "(in a finally block), or let asyncio.run create and close the loop."
    ),
    # Fragments of the events' sentences -----------------------------------------------------
    "at_line": gettext_noop(" at line {line}"),
    "created_at_line": gettext_noop(" created at line {line}"),
    "loop_created_at_line": gettext_noop(" (created at line {line})"),
    "last_seen_at_line": gettext_noop(" (last seen waiting at line {line})"),
    "of_task": gettext_noop(" (task {task})"),
    "task_named": gettext_noop("Task {task}"),
    "a_callback": gettext_noop("A callback"),
    "waits_on": gettext_noop(" ({what})"),
    # Check results (runner/checks.py) -------------------------------------------------------
    "check_output_ok": gettext_noop("The output is right."),
    "check_output_mismatch": gettext_noop(
        "The output is not what was expected ({mode}).\nExpected:\n{expected}\nGot:\n{got}"
    ),
    "check_virtual_seconds_ok": gettext_noop(
        "The program took {took} s of virtual time, as it should."
    ),
    "check_virtual_seconds_too_short": gettext_noop(
        "The program took {took} s of virtual time; it should take at least {low} s."
    ),
    "check_virtual_seconds_too_long": gettext_noop(
        "The program took {took} s of virtual time; it should take at most {high} s. Do your "
        "tasks wait one after another instead of at the same time?"
    ),
    "check_concurrency_ok": gettext_noop("Up to {seen} tasks ran at the same time."),
    "check_concurrency_too_low": gettext_noop(
        "Your tasks never ran at the same time enough: {needed} needed, at most {seen} seen. "
        "Start them as tasks (asyncio.create_task, gather, TaskGroup) before awaiting them."
    ),
    "check_loop_not_held": gettext_noop("Nothing held up the event loop."),
    "check_no_pending_tasks_ok": gettext_noop("Every task ended before its event loop closed."),
    "check_cancelled_awaited_ok": gettext_noop("Every cancelled task was awaited afterwards."),
    "check_loops_closed_ok": gettext_noop("Every event loop was closed."),
    "check_no_unretrieved_exception_ok": gettext_noop("No task's exception went unnoticed."),
    "check_no_exception": gettext_noop("No exception escaped."),
    "check_exception_as_expected": gettext_noop("{expected} was raised, as expected."),
    "check_exception_escaped": gettext_noop(
        "The program stopped with {got} at line {line}: {message}"
    ),
    "check_exception_other": gettext_noop(
        "Expected the program to end with {expected}, but got {got}."
    ),
    "check_exception_missing": gettext_noop(
        "Expected the program to end with {expected}, but got no exception."
    ),
    "check_code_unreadable": gettext_noop("The code cannot be read: {error} at line {line}."),
    "check_constructs_ok": gettext_noop("The code uses the right constructs."),
    "check_must_use": gettext_noop("Your code should use: {names}."),
    "check_must_not_use": gettext_noop("Your code must not use: {names}."),
    "check_syntax_ok": gettext_noop("The code is built as asked."),
    "check_syntax_bare_except": gettext_noop(
        "The except at line {line} catches every exception, asyncio.CancelledError and "
        "KeyboardInterrupt included, and does not raise it again, so a cancelled task would "
        "carry on. Catch only the exceptions you expect (except ValueError:), or end the "
        "handler with raise."
    ),
    "check_syntax_forbidden_call": gettext_noop(
        "Line {line} calls {call}(){inside}, which this exercise asks you not to do."
    ),
    "check_syntax_missing_call": gettext_noop("Your code should call {call}(){inside}."),
    "check_syntax_cancel_not_awaited": gettext_noop(
        "{task}.cancel() at line {line} is not followed by an await of {task}, so nothing "
        "waits for the task to finish cancelling. Await it afterwards (await {task}, or "
        "asyncio.gather(..., return_exceptions=True))."
    ),
    "syntax_inside": gettext_noop(" inside {construct}"),
    "check_status_ok": gettext_noop("The run ended as {status}."),
    "check_status_mismatch": gettext_noop(
        "The run should end as {expected}, but it ended as {got}."
    ),
    "check_events_ok": gettext_noop("The run behaved as expected."),
    "check_events_missing": gettext_noop("The run was expected to show: {kinds}, but it did not."),
    # Verdict errors (runner/verdict.py) ---------------------------------------------------
    "report_missing": gettext_noop(
        "The program ended without the runner's report (did it exit with os._exit?)."
    ),
    "report_extra_bytes": gettext_noop(
        "The runner's report channel held something besides the report; the run cannot be trusted."
    ),
    "report_wrong_run": gettext_noop(
        "The runner's report is not this run's; the run cannot be trusted."
    ),
    "report_bad_status": gettext_noop(
        "The runner's report has no valid status; the run cannot be trusted."
    ),
    "runner_refused": gettext_noop("The runner could not run the program: {reason}"),
    "report_malformed": gettext_noop(
        "The runner's report is malformed; the run cannot be trusted."
    ),
    "killed_cpu_limit": gettext_noop("The program used up its CPU time limit and was stopped."),
    "killed_memory_limit": gettext_noop(
        "The program's processes together used more than {limit} of memory; it was stopped."
    ),
    "killed_cpu_total": gettext_noop(
        "The program's processes together used more than {seconds} s of CPU time; it was stopped."
    ),
    "killed_memory_or_cpu": gettext_noop(
        "The program was killed (it used too much memory or CPU time)."
    ),
    "killed_segfault": gettext_noop("The Python process crashed (segmentation fault)."),
    "killed_by_signal": gettext_noop("The program was killed by signal {signal}."),
    "output_limit": gettext_noop("The program printed more than the output limit; it was stopped."),
    "timeout": gettext_noop(
        "The program did not finish within {seconds} s of real time; it was stopped."
    ),
}


def message(code: str, **params: Any) -> dict[str, Any]:
    """A message: its code (one of TEXT) and its params."""
    if code not in TEXT:
        raise KeyError(f"no text for message code {code!r}")
    return {"code": code, "params": params}


def is_message(value: Any) -> bool:
    return isinstance(value, dict) and "code" in value and "params" in value


def fill(message: dict[str, Any], translate: Callable[[str], str] = gettext_noop) -> str:
    """The message as a sentence: its code's template passed through `translate` (the app passes
    gettext), filled with its params, each fragment put into words first."""
    params = {
        name: fill(value, translate) if is_message(value) else value
        for name, value in message["params"].items()
    }
    return translate(TEXT[message["code"]]).format(**params)


def english(message: dict[str, Any]) -> str:
    """The message in English."""
    return fill(message)


def with_text(value: Any) -> Any:
    """A copy of value (a verdict, say) in which every message also has its English "text"."""
    if is_message(value):
        return {**value, "text": english(value)}
    if isinstance(value, dict):
        return {key: with_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [with_text(item) for item in value]
    return value
