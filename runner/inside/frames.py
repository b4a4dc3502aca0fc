"""Where the learner's program is: its lines in frames and tracebacks, and what tasks wait on.

Reads the running interpreter (frames, coroutines, asyncio tasks) and changes nothing.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import asyncio.taskgroups
import asyncio.tasks
import types
from collections.abc import Iterator
from typing import Any

# The learner's program runs as __main__ from a file of this name.
FILENAME = "main.py"

# Coroutines whose frames mean "this task waits for other tasks" (it is not doing work itself).
JOIN_CODES = {
    asyncio.tasks.wait.__code__,
    asyncio.tasks._wait.__code__,
    asyncio.tasks.wait_for.__code__,
    asyncio.taskgroups.TaskGroup.__aexit__.__code__,
}

# The loop's own housekeeping tasks, which are not the learner's and stay off the timeline.
HOUSEKEEPING_CODES = {
    asyncio.base_events.BaseEventLoop.shutdown_asyncgens.__code__,
    asyncio.base_events.BaseEventLoop.shutdown_default_executor.__code__,
}


def snippet_line(frame: types.FrameType | None) -> int | None:
    """The line of the innermost frame of the learner's file, walking outwards from frame."""
    while frame is not None:
        if frame.f_code.co_filename == FILENAME:
            return frame.f_lineno
        frame = frame.f_back
    return None


def traceback_line(tb: types.TracebackType | None) -> int | None:
    """The learner's line nearest to where an exception was raised."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def await_chain(task: asyncio.Task) -> Iterator[Any]:
    """The coroutines a task is suspended in, outermost first, then what the innermost awaits."""
    coro: Any = task.get_coro()
    seen = 0
    while coro is not None and seen < 100:
        yield coro
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        seen += 1


def waiting_line(task: asyncio.Task) -> tuple[int | None, str]:
    """The learner's line a suspended task waits on, and what it waits for there: the innermost
    library coroutine below that line (Lock.acquire, Queue.get), else the awaited future's type."""
    line, what = None, ""
    for coro in await_chain(task):
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            continue
        if frame.f_code.co_filename == FILENAME:
            line, what = frame.f_lineno, ""
        else:
            what = frame.f_code.co_qualname
    if not what:
        waiter = getattr(task, "_fut_waiter", None)
        what = type(waiter).__name__ if waiter is not None else ""
    return line, what


def awaits_tasks(task: asyncio.Task) -> bool:
    """True when a suspended task only waits for other tasks (await task, gather, wait...)."""
    waiter = getattr(task, "_fut_waiter", None)
    if isinstance(waiter, asyncio.Task) or type(waiter).__name__ == "_GatheringFuture":
        return True
    for coro in await_chain(task):
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None and frame.f_code in JOIN_CODES:
            return True
    return False


def learner_call(frame: types.FrameType | None) -> tuple[int | None, str | None]:
    """The learner's line nearest to frame, and the function called from it (Queue.get)."""
    callee = None
    while frame is not None:
        if frame.f_code.co_filename == FILENAME:
            return frame.f_lineno, callee
        callee = frame.f_code.co_qualname
        frame = frame.f_back
    return None, None


def task_label(task: asyncio.Task | None) -> str:
    if task is None:
        return ""
    coro = task.get_coro()
    name = getattr(coro, "__qualname__", None) or type(coro).__name__
    return f"{task.get_name()} ({name})"


def seconds_text(seconds: float) -> str:
    """3.0, 0.25, 0.001: as a learner would write the duration."""
    short = f"{seconds:.1f}"
    if abs(float(short) - seconds) < 1e-9:
        return short
    return f"{seconds:.3f}".rstrip("0") if seconds >= 0.001 else f"{seconds:.2g}"
