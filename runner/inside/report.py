"""Events and the report: what a run observed, in the learner's terms, and how it is sent.

Every event carries its message as a code and params, {"code": ..., "params": {...}}; the host's
runner/messages.py holds the English text of each code. A param may itself be such a message,
an optional fragment (" at line 7"), or "" where the fragment is left out. Numbers shown as
durations are already text ("3.0"), as a learner would write them.
"""

from __future__ import annotations

import asyncio
import asyncio.events
import collections
import contextlib
import json
import os
import sys
import threading
import time
import types
import weakref
from typing import Any

from runner.inside.clock import VirtualClock
from runner.inside.frames import (
    FILENAME,
    HOUSEKEEPING_CODES,
    awaits_tasks,
    learner_call,
    seconds_text,
    snippet_line,
    task_label,
    traceback_line,
    waiting_line,
)
from runner.inside.patch_asyncio import stop_sampling
from runner.protocol import frame

# A runaway program must not make the report itself too big to deliver. The timeline draws a
# dozen spans; beyond MAX_SPANS tasks are only counted (task_count), which costs no time a step.
MAX_EVENTS = 100
MAX_SPANS = 100
# Kept whatever the number of events before them: they explain how the run ended.
ENDING_KINDS = ("deadlock", "virtual_timeout")

# What the report is written with; a program that patches these modules cannot change it.
_json_dumps = json.dumps
_os_write = os.write
_os_close = os.close
_os_exit = os._exit
_real_sleep = time.sleep


def message(code: str, **params: Any) -> dict[str, Any]:
    """A message as the host's runner/messages.py knows it: a code and its params."""
    return {"code": code, "params": params}


def at_line(line: int | None, code: str = "at_line") -> dict[str, Any] | str:
    """The fragment naming the learner's line (" at line 7"), or "" when it is unknown."""
    return message(code, line=line) if line else ""


def of_task(label: str) -> dict[str, Any] | str:
    """The fragment naming the task (" (task Task-2 (worker))"), or "" without one."""
    return message("of_task", task=label) if label else ""


class Report:
    """Everything observed during one run, and the means to end it and report.

    The harness's Run supplies now() and the clock; the patches call the observations.
    """

    clock: VirtualClock | None

    def __init__(self, nonce: str, real_time: bool, channel_fd: int) -> None:
        self.nonce = nonce
        self.real_time = real_time
        self.channel_fd = channel_fd
        self.events: list[dict[str, Any]] = []
        self.spans: list[dict[str, Any]] = []
        self.task_count = 0
        # MAX_SPANS spans kept: the loop then only counts the tasks it creates.
        self.spans_full = False
        self.span_of: weakref.WeakKeyDictionary[asyncio.Task, dict[str, Any]] = (
            weakref.WeakKeyDictionary()
        )
        self.loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
        # The thread running a loop step now, and the learner lines SIGPROF saw during the
        # step, with how often.
        self.step_thread: int | None = None
        self.step_samples: collections.Counter[int] = collections.Counter()
        self.finished = threading.Lock()
        # Loops created during the run ({line, closed}), the learner's cancels ({task, line,
        # awaited}), and the spans already reported pending at their loop's close.
        self.created_loops: list[dict[str, Any]] = []
        self.cancels: list[dict[str, Any]] = []
        self.reported_pending: set[int] = set()

    def now(self) -> float:
        raise NotImplementedError

    # observations -------------------------------------------------------------------------

    def event(self, kind: str, line: int | None, said: dict[str, Any], **extra: Any) -> None:
        if len(self.events) >= MAX_EVENTS and kind not in ENDING_KINDS:
            return
        self.events.append({"kind": kind, "line": line, "message": said, **extra})

    def task_created(self, task: asyncio.Task) -> None:
        if getattr(task.get_coro(), "cr_code", None) in HOUSEKEEPING_CODES:
            return
        self.task_count += 1
        if len(self.spans) >= MAX_SPANS:
            return
        span = {
            "name": task.get_name(),
            "coro": getattr(task.get_coro(), "__qualname__", None),
            "created": self.now(),
            "started": None,
            "finished": None,
            "result": "pending",
            "exception": None,
            "blocked": [],
            "awaiting_tasks": [],
            "_joined": None,
            "_line": snippet_line(sys._getframe()),
        }
        self.spans.append(span)
        self.spans_full = len(self.spans) >= MAX_SPANS
        self.span_of[task] = span
        # The loop follows this task's steps.
        task._loopdeck_span = True  # type: ignore[attr-defined]
        # Its end is seen when its last step ends (step_ended), or at once if it ended eagerly.
        if task.done():
            self.task_done(task)

    def step_started(self, task: asyncio.Task) -> None:
        span = self.span_of.get(task)
        if span is None:
            return
        now = self.now()
        if span["started"] is None:
            span["started"] = now
        if span["_joined"] is not None:
            span["awaiting_tasks"].append([span["_joined"], now])
            span["_joined"] = None

    def step_ended(self, task: asyncio.Task) -> None:
        span = self.span_of.get(task)
        if span is None:
            return
        if task.done():
            self.task_done(task)
        elif awaits_tasks(task):
            span["_joined"] = self.now()

    def task_done(self, task: asyncio.Task) -> None:
        span = self.span_of.get(task)
        if span is None or span["finished"] is not None:
            return
        span["finished"] = self.now()
        if task.cancelled():
            span["result"] = "cancelled"
        elif task._exception is not None:  # not .exception(): that would mark it retrieved
            span["result"] = "error"
            span["exception"] = type(task._exception).__name__
        else:
            span["result"] = "ok"

    def blocking_call(
        self, seconds: float, started: float, frame: types.FrameType, call: str | None = None
    ) -> None:
        """The loop's thread waited `seconds` from `started` in time.sleep (call None) or in
        a threading wait such as Queue.get, so no task could run meanwhile."""
        line, callee = learner_call(frame)
        task = asyncio.current_task() if asyncio.events._get_running_loop() else None
        if call is not None and (
            line is None or (task is not None and task.get_coro().cr_code in HOUSEKEEPING_CODES)
        ):
            return  # asyncio's own shutdown waiting for its threads, not the learner
        where, who = at_line(line), of_task(task_label(task))
        s = seconds_text(seconds)
        if call is None:
            said = message("blocking_sleep", seconds=s, where=where, who=who)
        else:
            said = message("blocking_wait", call=callee or call, seconds=s, where=where, who=who)
        self.event(
            "blocking_call",
            line,
            said,
            task=task.get_name() if task else None,
            seconds=seconds,
        )
        span = self.span_of.get(task) if task is not None else None
        if span is not None:
            span["blocked"].append([started, started + seconds])

    def cpu_hog(self, spent: float, task: asyncio.Task | None, handle: asyncio.Handle) -> None:
        # Where the step spent most of its time (its last moments may be elsewhere).
        line = self.step_samples.most_common(1)[0][0] if self.step_samples else None
        if line is None:
            code = getattr(handle._callback, "__code__", None)
            if code is not None and code.co_filename == FILENAME:
                line = code.co_firstlineno
        if line is None and task is not None:
            line, _ = waiting_line(task)
        label = task_label(task)
        who = message("task_named", task=label) if label else message("a_callback")
        self.event(
            "cpu_hog",
            line,
            message("cpu_hog", who=who, seconds=seconds_text(round(spent, 2)), where=at_line(line)),
            task=task.get_name() if task else None,
            seconds=round(spent, 3),
        )

    def never_awaited(self, coro: Any) -> int | None:
        origin = getattr(coro, "cr_origin", None) or ()
        line = next((ln for fn, ln, _ in origin if fn == FILENAME), None)
        name = getattr(coro, "__qualname__", "coroutine")
        where = at_line(line, "created_at_line")
        self.event("never_awaited", line, message("never_awaited", name=name, where=where))
        return line

    def loop_exception(self, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        future = context.get("future")
        if not isinstance(future, asyncio.Task) or exc is None:
            return
        if not str(context.get("message", "")).startswith("Task exception was never retrieved"):
            return
        line = traceback_line(exc.__traceback__)
        said = message(
            "unretrieved_exception",
            task=task_label(future),
            exception=type(exc).__name__,
            where=at_line(line),
        )
        self.event("unretrieved_exception", line, said, task=future.get_name())

    def loop_created(self, loop: asyncio.AbstractEventLoop) -> None:
        # Every task a loop of the run creates is reported (task_created) on that loop.
        self.loops.add(loop)
        record = {"line": snippet_line(sys._getframe()), "closed": False}
        self.created_loops.append(record)
        loop._runner_record = record  # type: ignore[attr-defined]

    def loop_closing(self, loop: asyncio.AbstractEventLoop, dropped: bool) -> None:
        """loop.close() (asyncio.run's included), before it closes; dropped: by its __del__."""
        record = getattr(loop, "_runner_record", None)
        if dropped:
            return
        self.pending_at_close(loop)
        if record is not None:
            record["closed"] = True

    def pending_at_close(self, loop: asyncio.AbstractEventLoop) -> None:
        """The learner's tasks still pending as their loop closes (asyncio.run cancels them)."""
        for task in self.pending_tasks_of(loop):
            span = self.span_of.get(task)
            if span is None or id(span) in self.reported_pending:
                continue
            self.reported_pending.add(id(span))
            line = span["_line"]
            waiting, _ = waiting_line(task)
            said = message(
                "task_pending_at_close",
                task=task_label(task),
                where=at_line(line, "created_at_line"),
                seen=at_line(waiting, "last_seen_at_line"),
            )
            self.event("task_pending_at_close", line, said, task=task.get_name())

    def task_cancelled(self, task: asyncio.Task, line: int, awaited: bool) -> dict[str, Any]:
        """The learner's task.cancel() at line; awaited: something already waits for it."""
        record = {"task": task_label(task), "name": task.get_name(), "line": line}
        record["awaited"] = awaited
        self.cancels.append(record)
        return record

    def unfinished(self) -> None:
        """At the end of a run that ended by itself: exceptions of tasks still referenced that
        nothing retrieved (CPython reports them as the interpreter exits), cancels never
        awaited, loops never closed."""
        for task in list(self.span_of.keys()):
            if task.done() and not task.cancelled() and getattr(task, "_log_traceback", False):
                self.loop_exception(
                    {
                        "message": "Task exception was never retrieved",
                        "exception": task._exception,
                        "future": task,
                    }
                )
        for record in self.cancels:
            if not record["awaited"]:
                line = record["line"]
                said = message("cancelled_not_awaited", task=record["task"], where=at_line(line))
                self.event("cancelled_not_awaited", line, said, task=record["name"])
        for record in self.created_loops:
            if not record["closed"]:
                line = record["line"]
                said = message("loop_not_closed", where=at_line(line, "loop_created_at_line"))
                self.event("loop_not_closed", line, said)

    # ending -------------------------------------------------------------------------------

    def pending_tasks(self) -> list[asyncio.Task]:
        return self.pending_tasks_of(*list(self.loops))

    def pending_tasks_of(self, *loops: asyncio.AbstractEventLoop) -> list[asyncio.Task]:
        """The pending tasks of these loops, in the order they were created."""
        order = {id(span): index for index, span in enumerate(self.spans)}
        tasks = [t for loop in loops for t in asyncio.all_tasks(loop)]
        return sorted(tasks, key=lambda t: order.get(id(self.span_of.get(t)), 0))

    def deadlock(self) -> None:
        """Nothing can wake any task: report each task's waiting line and end the run now."""
        running = asyncio.current_task() if asyncio.events._get_running_loop() else None
        for task in self.pending_tasks():
            if awaits_tasks(task):
                continue
            if task is running:
                # It blocked its own loop in a threading wait (Future.result(), Queue.get()).
                line, callee = learner_call(sys._getframe())
                what = f"{callee}()" if callee else ""
            else:
                line, what = waiting_line(task)
            on = message("waits_on", what=what) if what else ""
            said = message("deadlock_task", task=task_label(task), where=at_line(line), on=on)
            self.event("deadlock", line, said, task=task.get_name())
        if not any(e["kind"] == "deadlock" for e in self.events):
            # No task to blame: threads wait for each other (join, Event, Queue, Lock...).
            frames = sys._current_frames()
            for thread in threading.enumerate():
                line = snippet_line(frames.get(thread.ident or 0))
                if line is None:
                    continue
                said = message("deadlock_thread", thread=thread.name, line=line)
                self.event("deadlock", line, said)
        self.finish("deadlock", None, None)

    def virtual_timeout(self) -> None:
        assert self.clock is not None
        line = None
        for task in self.pending_tasks():
            if not awaits_tasks(task):
                line, _ = waiting_line(task)
                if line is not None:
                    break
        frames = sys._current_frames()
        for thread in threading.enumerate():
            if line is None:
                line = snippet_line(frames.get(thread.ident or 0))
        cap = seconds_text(self.clock.cap)
        seen = at_line(line, "last_seen_at_line")
        self.event("virtual_timeout", line, message("virtual_timeout", cap=cap, seen=seen))
        self.finish("virtual_timeout", None, None)

    def finish(self, status: str, exit_code: int | None, exception: dict[str, Any] | None) -> None:
        """Flush the snippet's output, send the one report, and end the process if cut short."""
        if not self.finished.acquire(blocking=False):
            # Another thread is already reporting; it ends the process.
            while True:
                _real_sleep(1)
        with contextlib.suppress(Exception):
            stop_sampling()
        if status in ("ok", "error"):
            self.unfinished()
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(Exception):
                stream.flush()
        now = self.now()
        tasks = []
        for span in self.spans:
            span = dict(span)
            joined = span.pop("_joined")
            span.pop("_line")
            if joined is not None:
                span["awaiting_tasks"] = [*span["awaiting_tasks"], [joined, now]]
            # 0.1 + 0.2 shows as 0.3: times are exact to the nanosecond, not to the last bit.
            for key in ("created", "started", "finished"):
                if span[key] is not None:
                    span[key] = round(span[key], 9)
            for key in ("blocked", "awaiting_tasks"):
                span[key] = [[round(a, 9), round(b, 9)] for a, b in span[key]]
            tasks.append(span)
        report = {
            "nonce": self.nonce,
            "status": status,
            "exit_code": exit_code,
            "exception": exception,
            "virtual_seconds": round(now, 9),
            "real_time": self.real_time,
            "events": self.events,
            "tasks": tasks,
            "task_count": self.task_count,
        }
        data = frame(_json_dumps(report, default=str).encode())
        with contextlib.suppress(OSError):
            while data:
                data = data[_os_write(self.channel_fd, data) :]
            _os_close(self.channel_fd)
        if status in ("deadlock", "virtual_timeout"):
            _os_exit(0)
