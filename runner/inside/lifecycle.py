"""What a run leaves unfinished: tasks pending when their loop closed, tasks cancelled and never
awaited afterwards, event loops never closed.

The loop (runner/inside/patch_asyncio.py) makes its tasks `Task`s of this module: asyncio's own
Task noting when the learner cancels it; a cancelled one then notes when anything awaits it or
looks at its result. The report (runner/inside/report.py) turns what is left
unfinished at the end of the run into events.
"""

from __future__ import annotations

import asyncio
import asyncio.runners
import functools
import os
import sys
from typing import Any

from runner.inside import state
from runner.inside.frames import FILENAME

_ASYNCIO_DIR = os.path.dirname(asyncio.__file__) + os.sep
_real_cancel_all_tasks = asyncio.runners._cancel_all_tasks


def _from_asyncio(code: Any) -> bool:
    return code is not None and code.co_filename.startswith(_ASYNCIO_DIR)


def is_waiter(callback: Any) -> bool:
    """A done callback through which something waits for the future: a task awaiting it (its
    wakeup), gather, wait, wait_for, a TaskGroup, shield. Not the learner's own callbacks
    (`background_tasks.discard`), not the report's."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    if isinstance(getattr(callback, "__self__", None), asyncio.Future):
        return True
    function = getattr(callback, "__func__", callback)
    return _from_asyncio(getattr(function, "__code__", None))


class Task(asyncio.Task):
    """asyncio's Task (the C one), noting the learner's cancel().

    Only cancel() is Python here, so awaiting a task, its result and its callbacks cost what
    they cost in asyncio. A task the learner cancels becomes a CancelledTask (the same layout,
    so its class can change), whose methods note what awaits it or looks at its result
    afterwards. Both are named Task, so that their repr is asyncio's.
    """

    _cancel_record: dict[str, Any] | None = None
    # Set on the first tasks of a run, whose steps the loop follows for their span.
    _loopdeck_span = False

    def cancel(self, msg: Any = None) -> bool:
        requested = super().cancel(msg)
        run = state.run
        if requested and run is not None and self._cancel_record is None:
            caller = sys._getframe(1)
            if caller.f_code.co_filename == FILENAME:
                callbacks = self._callbacks or ()
                awaited = any(is_waiter(callback) for callback, _ in callbacks)
                self._cancel_record = run.task_cancelled(self, caller.f_lineno, awaited)
                self.__class__ = CancelledTask
        return requested


class CancelledTask(Task):
    """A Task the learner cancelled: notes when anything awaits it or asks for its result."""

    _cancel_record: dict[str, Any]

    def _observed(self) -> None:
        record = self._cancel_record
        if not record["awaited"] and not closing:
            record["awaited"] = True

    def add_done_callback(self, fn: Any, *, context: Any = None) -> None:
        if is_waiter(fn):
            self._observed()
        super().add_done_callback(fn, context=context)

    def __await__(self) -> Any:
        self._observed()
        return super().__await__()

    __iter__ = __await__

    def result(self) -> Any:
        self._observed()
        return super().result()

    def exception(self) -> BaseException | None:
        self._observed()
        return super().exception()

    def cancelled(self) -> bool:
        # gather() of an already cancelled task only asks cancelled() (3.12+).
        if _from_asyncio(sys._getframe(1).f_code):
            self._observed()
        return super().cancelled()


for _class in (Task, CancelledTask):
    _class.__module__ = asyncio.Task.__module__
    _class.__name__ = _class.__qualname__ = "Task"

# asyncio.run's shutdown gathers every task left: that is not the learner awaiting them.
closing = False


def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """asyncio.run's (asyncio.Runner's) shutdown: report the tasks still pending, which it is
    about to cancel without a word, then let it."""
    global closing
    if state.run is not None:
        state.run.pending_at_close(loop)
    closing = True
    try:
        _real_cancel_all_tasks(loop)
    finally:
        closing = False


def install() -> None:
    asyncio.runners._cancel_all_tasks = _cancel_all_tasks
