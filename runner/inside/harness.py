"""The harness: runs one learner snippet inside the sandboxed interpreter and reports what it saw.

Self-contained and stdlib-only: it is copied into the sandbox (or piped to the interpreter), so it
never imports the rest of ``runner``. A warm process may import it ahead of time and call
``serve_one`` in a freshly forked child; everything that changes the interpreter (patching the
clock, the event loop policy, threads) happens inside ``serve_one``, once per process.

Protocol: the request is one length-prefixed JSON object (4-byte big-endian length); the harness
answers with one length-prefixed JSON object on the channel fd, carrying the request's nonce. The
snippet's own stdout and stderr go to fds 1 and 2 untouched.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import asyncio.events
import asyncio.taskgroups
import asyncio.tasks
import builtins
import collections
import concurrent.futures
import concurrent.futures.thread
import contextlib
import datetime
import gc
import json
import linecache
import math
import os
import queue
import random
import selectors
import signal
import sys
import threading
import time
import traceback
import types
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from runner.inside.limits import apply_limits
from runner.protocol import HEADER, MAX_MESSAGE, decode, frame, split

FILENAME = "main.py"
# 2024-01-01 12:00:00 UTC: every run starts at the same moment, so printed times are stable.
EPOCH = 1704110400.0
# How long a waiting thread lets the others run before it suspects they are stuck on something
# the clock cannot see (a lock, a real pipe): only then does it move the clock without them.
STALL_SECONDS = 0.25
# ...and how long before it gives up on them: stuck that long with nothing else able to wake
# anyone, the run is a deadlock (a worker waiting for a real subprocess is not, for a while).
STUCK_SECONDS = 2.0
# A loop that watches real file descriptors (pipes of a subprocess) gets this long, in real
# time, before a wait that nothing else can end counts as a deadlock.
IO_GRACE_SECONDS = 1.0
SAMPLE_SECONDS = 0.01
# A runaway program must not make the report itself too big to deliver.
MAX_EVENTS = 100
MAX_SPANS = 1000

# The real functions, taken before anything is patched (a warm process imports this file first).
_real_sleep = time.sleep
_real_monotonic = time.monotonic
_real_thread_time = time.thread_time
_real_process_time = time.process_time
_real_localtime = time.localtime
_real_gmtime = time.gmtime
_real_ctime = time.ctime
_real_asctime = time.asctime
_real_strftime = time.strftime
_real_datetime = datetime.datetime
_real_date = datetime.date
_real_thread_start = threading.Thread.start
_real_bootstrap_inner = threading.Thread._bootstrap_inner
_real_thread_join = threading.Thread.join
_real_pool_submit = concurrent.futures.ThreadPoolExecutor.submit
_real_workitem_init = concurrent.futures.thread._WorkItem.__init__
_real_workitem_run = concurrent.futures.thread._WorkItem.run
_real_condition_wait = threading.Condition.wait
_real_condition_notify = threading.Condition.notify
_real_condition_notify_all = threading.Condition.notify_all
_real_handle_run = asyncio.events.Handle._run
_real_warn_unawaited = warnings._warn_unawaited_coroutine
# What the report is written with; a program that patches these modules cannot change it.
_json_dumps = json.dumps
_os_write = os.write
_os_close = os.close
_os_exit = os._exit
_BaseLoop = asyncio.SelectorEventLoop
_BasePolicy = asyncio.DefaultEventLoopPolicy

# Coroutines whose frames mean "this task waits for other tasks" (it is not doing work itself).
_JOIN_CODES = {
    asyncio.tasks.wait.__code__,
    asyncio.tasks._wait.__code__,
    asyncio.tasks.wait_for.__code__,
    asyncio.taskgroups.TaskGroup.__aexit__.__code__,
}

# The loop's own housekeeping tasks, which are not the learner's and stay off the timeline.
_HOUSEKEEPING_CODES = {
    asyncio.base_events.BaseEventLoop.shutdown_asyncgens.__code__,
    asyncio.base_events.BaseEventLoop.shutdown_default_executor.__code__,
}

_run: _Run | None = None


# --- small helpers -------------------------------------------------------------------------


def _snippet_line(frame: types.FrameType | None) -> int | None:
    """The line of the innermost frame of the learner's file, walking outwards from frame."""
    while frame is not None:
        if frame.f_code.co_filename == FILENAME:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _traceback_line(tb: types.TracebackType | None) -> int | None:
    """The learner's line nearest to where an exception was raised."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _await_chain(task: asyncio.Task) -> Iterator[Any]:
    """The coroutines a task is suspended in, outermost first, then what the innermost awaits."""
    coro: Any = task.get_coro()
    seen = 0
    while coro is not None and seen < 100:
        yield coro
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        seen += 1


def _waiting_line(task: asyncio.Task) -> tuple[int | None, str]:
    """The learner's line a suspended task waits on, and what it waits for there: the innermost
    library coroutine below that line (Lock.acquire, Queue.get), else the awaited future's type."""
    line, what = None, ""
    for coro in _await_chain(task):
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


def _awaits_tasks(task: asyncio.Task) -> bool:
    """True when a suspended task only waits for other tasks (await task, gather, wait...)."""
    waiter = getattr(task, "_fut_waiter", None)
    if isinstance(waiter, asyncio.Task) or type(waiter).__name__ == "_GatheringFuture":
        return True
    for coro in _await_chain(task):
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None and frame.f_code in _JOIN_CODES:
            return True
    return False


def _where(line: int | None) -> tuple[str, str]:
    """ " at line 7" in English and Russian, or nothing when the line is unknown."""
    return (f" at line {line}", f" в строке {line}") if line else ("", "")


def _learner_call(frame: types.FrameType | None) -> tuple[int | None, str | None]:
    """The learner's line nearest to frame, and the function called from it (Queue.get)."""
    callee = None
    while frame is not None:
        if frame.f_code.co_filename == FILENAME:
            return frame.f_lineno, callee
        callee = frame.f_code.co_qualname
        frame = frame.f_back
    return None, None


def _task_label(task: asyncio.Task | None) -> str:
    if task is None:
        return ""
    coro = task.get_coro()
    name = getattr(coro, "__qualname__", None) or type(coro).__name__
    return f"{task.get_name()} ({name})"


def _seconds_text(seconds: float) -> str:
    """3.0, 0.25, 0.001: as a learner would write the duration."""
    short = f"{seconds:.1f}"
    if abs(float(short) - seconds) < 1e-9:
        return short
    return f"{seconds:.3f}".rstrip("0") if seconds >= 0.001 else f"{seconds:.2g}"


def _sleep_seconds(secs: object) -> float:
    """Validate time.sleep's argument the way time.sleep does."""
    if isinstance(secs, bool) or not isinstance(secs, int | float):
        raise TypeError(f"'{type(secs).__name__}' object cannot be interpreted as an integer")
    value = float(secs)
    if math.isnan(value):
        raise ValueError("Invalid value NaN (not a number)")
    if value < 0:
        raise ValueError("sleep length must be non-negative")
    return value


# --- the virtual clock -----------------------------------------------------------------------


class VirtualClock:
    """The one clock every thread of the snippet reads, in seconds since the run started.

    Invariant: ``now`` moves only while no participating thread is running. A participant (the
    main thread, a thread the snippet started, an executor work item from submit to its end) is
    either running, asleep until a virtual moment (``time.sleep``, an event loop waiting for its
    next timer, a ``Condition.wait`` with a timeout), or waiting for something another
    participant will do (``Thread.join``, a ``notify``, a loop waiting for a worker). When none
    runs, ``now`` jumps to the earliest wake-up and the sleepers due then are marked running
    before anyone else can move the clock again, so wake-ups happen in the order of their
    virtual deadlines, never in the order the OS schedules threads.
    """

    def __init__(
        self, cap: float, on_cap: Callable[[], None], on_deadlock: Callable[[], None]
    ) -> None:
        self.now = 0.0
        self.cap = cap
        self._on_cap = on_cap
        self._on_deadlock = on_deadlock
        self._cond = threading.Condition(threading.RLock())
        self._running = 1
        # thread ident -> (wake time or None, counted as a participant, what it waits for)
        self._sleepers: dict[int, tuple[float | None, bool, object]] = {}
        self._changes = 0
        # Threads inside an executor work item (their state is in _running/_sleepers already).
        self.in_work: set[int] = set()
        self._local = threading.local()
        self._local.counted = True

    @property
    def counted(self) -> bool:
        return getattr(self._local, "counted", False)

    @counted.setter
    def counted(self, value: bool) -> None:
        self._local.counted = value

    @property
    def submitting(self) -> object:
        """The executor whose submit this thread is inside (its work item is being made)."""
        return getattr(self._local, "submitting", None)

    @submitting.setter
    def submitting(self, value: object) -> None:
        self._local.submitting = value

    @property
    def bypass(self) -> bool:
        """True while this thread waits in real time (starting an executor's worker)."""
        return getattr(self._local, "bypass", False)

    @bypass.setter
    def bypass(self, value: bool) -> None:
        self._local.bypass = value

    def enter(self) -> None:
        """One more participant is about to run."""
        with self._cond:
            self._running += 1
            self._changed()

    def leave(self, target: object = None) -> None:
        """A participant ended; whoever waited for `target` (its thread) runs now."""
        with self._cond:
            if target is not None:
                self._release_locked(target)
            self._running -= 1
            self._changed()
            self._advance_locked()

    def release(self, target: object) -> None:
        """Wake the participants waiting for target (e.g. a loop poked by another thread)."""
        with self._cond:
            self._release_locked(target)

    def block(
        self,
        wake: float | None,
        target: object = None,
        interrupted: Callable[[], bool] | None = None,
        grace: float = 0.0,
        registered: Callable[[], object] | None = None,
    ) -> None:
        """Stop running until the clock reaches wake or target is released.

        `registered` runs once this thread counts as waiting (a condition's lock is released
        there, so a notify cannot slip in unseen); if it returns true, there is nothing to wait
        for after all. When nothing can ever wake anyone (every
        participant waits, none has a wake-up time) the run ends as a deadlock; `grace` real
        seconds first if real I/O might still arrive.
        """
        me = threading.get_ident()
        counted = self.counted
        with self._cond:
            if counted:
                self._running -= 1
            self._sleepers[me] = (wake, counted, target)
            if registered is not None and registered():
                self._wake_locked(me)
                return
            self._changed()
            self._advance_locked()
            mark = (self._changes, _real_monotonic(), _real_process_time())
            hopeless_since: float | None = None
            while me in self._sleepers:
                if interrupted is not None and interrupted():
                    self._wake_locked(me)
                    break
                if self._changes != mark[0]:
                    mark = (self._changes, _real_monotonic(), _real_process_time())
                quiet = _real_monotonic() - mark[1]
                # Nothing changed for a while and the others burn no CPU: they are stuck on
                # something the clock cannot see, so they cannot be what this wait is for.
                idle = _real_process_time() - mark[2] < quiet / 20
                stalled = idle and quiet >= STALL_SECONDS
                if self._hopeless(idle and quiet >= STUCK_SECONDS):
                    hopeless_since = hopeless_since or _real_monotonic()
                    if _real_monotonic() - hopeless_since >= grace:
                        self._on_deadlock()
                else:
                    hopeless_since = None
                if stalled:
                    self._advance_locked(force=True)
                    mark = (self._changes, _real_monotonic(), _real_process_time())
                    if me not in self._sleepers:
                        break
                self._cond.wait(0.005 if interrupted is not None else STALL_SECONDS / 5)

    def _busy(self) -> int:
        """Running participants, plus joiners of an idle executor worker on its way out (it
        ends on its own, and the joiner runs again then)."""
        busy = self._running
        for _, _, target in self._sleepers.values():
            if (
                isinstance(target, threading.Thread)
                and not getattr(target, "_loopdeck_counted", False)
                and target.ident not in self.in_work
            ):
                busy += 1
        return busy

    def _hopeless(self, stuck: bool) -> bool:
        return (stuck or self._busy() == 0) and all(
            wake is None for wake, _, _ in self._sleepers.values()
        )

    def _changed(self) -> None:
        self._changes += 1
        self._cond.notify_all()

    def _wake_locked(self, ident: int) -> None:
        _, counted, _ = self._sleepers.pop(ident)
        if counted:
            self._running += 1
        self._changed()

    def _release_locked(self, target: object) -> None:
        for ident, (_, _, waits_for) in list(self._sleepers.items()):
            if waits_for is target:
                self._wake_locked(ident)

    def _advance_locked(self, force: bool = False) -> None:
        for ident, (wake, _, _) in list(self._sleepers.items()):
            if wake is not None and wake <= self.now:
                self._wake_locked(ident)
        if not force and self._busy() > 0:
            return
        wakes = [wake for wake, _, _ in self._sleepers.values() if wake is not None]
        if not wakes:
            return
        target = min(wakes)
        if target > self.cap:
            self.now = max(self.now, self.cap)
            self._on_cap()
            return
        self.now = max(self.now, target)
        for ident, (wake, _, _) in list(self._sleepers.items()):
            if wake is not None and wake <= self.now:
                self._wake_locked(ident)


# --- the event loop ----------------------------------------------------------------------------


class HarnessLoop(_BaseLoop):
    """The standard selector loop, reporting the tasks it creates and the errors it handles."""

    def create_task(self, coro: Any, *, name: str | None = None, context: Any = None) -> Any:
        task = super().create_task(coro, name=name, context=context)
        if _run is not None and isinstance(task, asyncio.Task):
            _run.task_created(task)
        return task

    def call_exception_handler(self, context: dict[str, Any]) -> None:
        if _run is not None:
            _run.loop_exception(context)
        super().call_exception_handler(context)


class _VirtualSelector(selectors.DefaultSelector):
    """The loop's selector: waiting for the next timer means sleeping on the virtual clock."""

    loop: VirtualLoop | None = None

    def select(self, timeout: float | None = None) -> list[Any]:
        loop = self.loop
        events = super().select(0)
        if events or timeout == 0 or loop is None or _run is None or _run.clock is None:
            return events
        scheduled = loop._scheduled
        wake = scheduled[0]._when if scheduled else None
        watches_io = len(self.get_map()) > 1

        def io_ready() -> bool:
            return bool(super(_VirtualSelector, self).select(0))

        def already_woken() -> bool:
            # Checked once this loop counts as waiting: a callback another thread handed over
            # before that moment is seen here, and one handed over after it wakes the loop.
            return bool(loop._ready) or io_ready()

        _run.clock.block(
            wake,
            target=loop,
            interrupted=io_ready if watches_io else None,
            grace=IO_GRACE_SECONDS if watches_io else 0.0,
            registered=already_woken,
        )
        return super().select(0)


class VirtualLoop(HarnessLoop):
    """A loop whose time() is the virtual clock; it never sleeps in real time for a timer."""

    def __init__(self) -> None:
        selector = _VirtualSelector()
        super().__init__(selector)
        selector.loop = self

    def time(self) -> float:
        return _run.clock.now if _run is not None and _run.clock is not None else 0.0

    def _write_to_self(self) -> None:
        # Another thread handed the loop a callback: the loop is running again from this moment,
        # so the clock cannot jump past the callback's arrival.
        super()._write_to_self()
        if _run is not None and _run.clock is not None:
            _run.clock.release(self)


class HarnessPolicy(_BasePolicy):
    _loop_factory = HarnessLoop


class VirtualPolicy(_BasePolicy):
    _loop_factory = VirtualLoop


# --- patched functions (installed by _Run.install) -------------------------------------------


def _clock_now() -> float:
    assert _run is not None
    return _run.now()


def _v_time() -> float:
    return EPOCH + _clock_now()


def _v_time_ns() -> int:
    return int(EPOCH) * 10**9 + round(_clock_now() * 1e9)


def _v_monotonic() -> float:
    return _clock_now()


def _v_monotonic_ns() -> int:
    return round(_clock_now() * 1e9)


def _v_localtime(secs: float | None = None) -> time.struct_time:
    return _real_localtime(_v_time() if secs is None else secs)


def _v_gmtime(secs: float | None = None) -> time.struct_time:
    return _real_gmtime(_v_time() if secs is None else secs)


def _v_ctime(secs: float | None = None) -> str:
    return _real_ctime(_v_time() if secs is None else secs)


def _v_asctime(t: Any = None) -> str:
    return _real_asctime(_v_localtime() if t is None else t)


def _v_strftime(format: str, t: Any = None) -> str:  # noqa: A002 - time.strftime's own name
    return _real_strftime(format, _v_localtime() if t is None else t)


def _sleep(secs: float) -> None:
    """time.sleep: costs virtual time; inside a running event loop it is a blocking call."""
    seconds = _sleep_seconds(secs)
    run = _run
    assert run is not None
    if seconds > 0 and asyncio.events._get_running_loop() is not None:
        run.blocking_call(seconds, run.now(), sys._getframe(1))
    if run.clock is None or seconds == 0:
        _real_sleep(seconds)
        return
    run.clock.block(run.clock.now + seconds)


class _RealInstances(type):
    """isinstance(real_datetime_object, datetime.datetime) stays true after the swap."""

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, cls.__mro__[1])

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls.__mro__[1])


class _VirtualDatetime(_real_datetime, metaclass=_RealInstances):
    @classmethod
    def now(cls, tz: datetime.tzinfo | None = None) -> Any:
        return cls.fromtimestamp(_v_time(), tz)

    @classmethod
    def today(cls) -> Any:
        return cls.fromtimestamp(_v_time())

    @classmethod
    def utcnow(cls) -> Any:
        return cls.utcfromtimestamp(_v_time())


class _VirtualDate(_real_date, metaclass=_RealInstances):
    @classmethod
    def today(cls) -> Any:
        return cls.fromtimestamp(_v_time())


# Printed the way the real classes print: datetime.datetime(2024, 1, 1, 12, 0).
_VirtualDatetime.__name__ = "datetime.datetime"
_VirtualDatetime.__qualname__ = _VirtualDatetime.__module__ = "datetime"
_VirtualDate.__name__ = "datetime.date"
_VirtualDate.__qualname__ = "date"
_VirtualDate.__module__ = "datetime"


def _thread_start(self: threading.Thread) -> None:
    clock = _run.clock if _run is not None else None
    if clock is None:
        _real_thread_start(self)
        return
    self._loopdeck_seen = True  # type: ignore[attr-defined]
    # An executor's worker idles between work items; only its work items take part, and the
    # thread starting it waits for it in real time.
    if getattr(self, "_target", None) is concurrent.futures.thread._worker:
        clock.bypass = True
        try:
            _real_thread_start(self)
        finally:
            clock.bypass = False
        return
    self._loopdeck_counted = True  # type: ignore[attr-defined]
    clock.enter()
    try:
        _real_thread_start(self)
    except BaseException:
        clock.leave()
        raise


def _thread_bootstrap_inner(self: threading.Thread) -> None:
    clock = _run.clock if _run is not None else None
    if clock is None:
        _real_bootstrap_inner(self)
        return
    counted = getattr(self, "_loopdeck_counted", False)
    clock.counted = counted
    try:
        _real_bootstrap_inner(self)
    finally:
        clock.counted = False
        # Under the clock's lock, so a joiner either sees the end or is woken by it.
        with clock._cond:
            self._loopdeck_ended = True  # type: ignore[attr-defined]
            if counted:
                clock.leave(target=self)
            else:
                clock.release(self)


def _thread_join(self: threading.Thread, timeout: float | None = None) -> None:
    """Thread.join on the clock: a timeout is virtual seconds, and while joining this thread
    is not running, so the joined one may sleep."""
    clock = _run.clock if _run is not None else None
    ready = getattr(self, "_loopdeck_seen", False) and self is not threading.current_thread()
    if clock is None or not ready:
        _real_thread_join(self, timeout)
        return
    wake = None if timeout is None else clock.now + max(float(timeout), 0.0)
    started = clock.now
    clock.block(wake, target=self, registered=lambda: getattr(self, "_loopdeck_ended", False))
    _report_loop_blocked(started, sys._getframe(1), "Thread.join")
    # Ended: its last steps are real and short. Not ended: the virtual timeout passed.
    _real_thread_join(self, None if getattr(self, "_loopdeck_ended", False) else 0)


def _report_loop_blocked(started: float, frame: types.FrameType, call: str) -> None:
    """A threading wait in the loop's own thread that took virtual time blocked the loop."""
    run = _run
    if run is None or run.clock is None or asyncio.events._get_running_loop() is None:
        return
    if run.clock.now > started:
        run.blocking_call(run.clock.now - started, started, frame, call)


class _Waiter:
    """One thread waiting on a Condition through the clock."""

    __slots__ = ("notified",)

    def __init__(self) -> None:
        self.notified = False


def _condition_wait(self: threading.Condition, timeout: float | None = None) -> bool:
    """Condition.wait on the clock: Event.wait, Queue.get, Future.result, Semaphore... wait
    in virtual time, and a wait nobody can end is a deadlock."""
    clock = _run.clock if _run is not None else None
    if clock is None or self is clock._cond or clock.bypass:
        return _real_condition_wait(self, timeout)
    if not self._is_owned():  # type: ignore[attr-defined]
        raise RuntimeError("cannot wait on un-acquired lock")
    waiter = _Waiter()
    waiters = self.__dict__.setdefault("_loopdeck_waiters", collections.deque())
    waiters.append(waiter)
    wake = None if timeout is None else clock.now + max(float(timeout), 0.0)
    saved: list[Any] = []
    started = clock.now
    try:
        clock.block(wake, target=waiter, registered=lambda: saved.append(self._release_save()))  # type: ignore[attr-defined]
    finally:
        if saved:
            self._acquire_restore(saved[0])  # type: ignore[attr-defined]
        if not waiter.notified:
            with contextlib.suppress(ValueError):
                waiters.remove(waiter)
    _report_loop_blocked(started, sys._getframe(1), "Condition.wait")
    return waiter.notified


def _condition_notify(self: threading.Condition, n: int = 1) -> None:
    clock = _run.clock if _run is not None else None
    if clock is None or self is clock._cond:
        _real_condition_notify(self, n)
        return
    if not self._is_owned():  # type: ignore[attr-defined]
        raise RuntimeError("cannot notify on un-acquired lock")
    _real_condition_notify(self, n)
    waiters = self.__dict__.get("_loopdeck_waiters")
    while waiters and n > 0:
        waiter = waiters.popleft()
        waiter.notified = True
        clock.release(waiter)
        n -= 1


def _condition_notify_all(self: threading.Condition) -> None:
    clock = _run.clock if _run is not None else None
    if clock is None or self is clock._cond:
        _real_condition_notify_all(self)
        return
    _condition_notify(self, len(self._waiters) + len(self.__dict__.get("_loopdeck_waiters", ())))  # type: ignore[attr-defined]


def _pool_submit(
    self: concurrent.futures.ThreadPoolExecutor, fn: Any, /, *args: Any, **kw: Any
) -> Any:
    clock = _run.clock if _run is not None else None
    if clock is None:
        return _real_pool_submit(self, fn, *args, **kw)
    with clock._cond:
        _pool_grow(self, clock)
    clock.submitting = self
    try:
        return _real_pool_submit(self, fn, *args, **kw)
    except BaseException:
        with clock._cond:
            _pool_shrink(self, clock)
        raise
    finally:
        clock.submitting = None


def _pool_grow(pool: Any, clock: VirtualClock) -> None:
    """One more work item. It counts as running from submit on (the clock must not jump past
    it before a worker picks it up) if a worker is free for it; if every worker is taken it
    waits in the queue, and counts from when a worker is freed for it."""
    active = getattr(pool, "_loopdeck_active", 0)
    if active < pool._max_workers:
        pool._loopdeck_active = active + 1
        clock.enter()
    else:
        pool._loopdeck_parked = getattr(pool, "_loopdeck_parked", 0) + 1


def _pool_shrink(pool: Any, clock: VirtualClock) -> None:
    """One work item fewer (done, cancelled): its worker takes the next queued item, if any."""
    parked = getattr(pool, "_loopdeck_parked", 0)
    if parked:
        pool._loopdeck_parked = parked - 1
    else:
        pool._loopdeck_active -= 1
        clock.leave()


def _workitem_init(self: Any, future: Any, fn: Any, args: Any, kwargs: Any) -> None:
    _real_workitem_init(self, future, fn, args, kwargs)
    clock = _run.clock if _run is not None else None
    self._loopdeck_pool = clock.submitting if clock is not None else None
    if self._loopdeck_pool is not None:
        future.add_done_callback(lambda f, item=self: f.cancelled() and _workitem_done(item))


def _workitem_done(item: Any) -> None:
    """A work item ended or was cancelled before it ran: once only."""
    clock = _run.clock if _run is not None else None
    if clock is None:
        return
    with clock._cond:
        pool = item._loopdeck_pool
        if pool is None:
            return
        item._loopdeck_pool = None
        _pool_shrink(pool, clock)


def _workitem_run(self: Any) -> None:
    clock = _run.clock if _run is not None else None
    if clock is None or getattr(self, "_loopdeck_pool", None) is None:
        _real_workitem_run(self)
        return
    clock.counted = True
    me = threading.get_ident()
    with clock._cond:
        clock.in_work.add(me)
    try:
        _real_workitem_run(self)
    finally:
        clock.counted = False
        with clock._cond:
            clock.in_work.discard(me)
            _workitem_done(self)


def _handle_run(self: asyncio.Handle) -> None:
    """Every callback and task step of every loop: when tasks run, and how long they hold it."""
    run = _run
    if run is None:
        _real_handle_run(self)
        return
    owner = getattr(self._callback, "__self__", None)
    task = owner if isinstance(owner, asyncio.Task) else None
    if task is not None:
        run.step_started(task)
    run.step_thread = threading.get_ident()
    if run.step_samples:
        run.step_samples.clear()
    started = _real_thread_time()
    try:
        _real_handle_run(self)
    finally:
        spent = _real_thread_time() - started
        run.step_thread = None
        if task is not None:
            run.step_ended(task)
        if spent >= run.cpu_hog_seconds:
            run.cpu_hog(spent, task, self)


def _sample(signum: int, frame: types.FrameType | None) -> None:
    """SIGPROF: note which learner line a long step is busy on."""
    run = _run
    if run is None or run.step_thread is None:
        return
    if run.step_thread != threading.get_ident():
        frame = sys._current_frames().get(run.step_thread)
    line = _snippet_line(frame)
    if line is not None:
        run.step_samples[line] += 1


def _warn_unawaited(coro: Any) -> None:
    line = _run.never_awaited(coro) if _run is not None else None
    if line is None:
        _real_warn_unawaited(coro)
        return
    # Warn as plain `python main.py` would, pointing at the learner's line, not at the harness.
    name = getattr(coro, "__qualname__", "coroutine")
    message = f"coroutine '{name}' was never awaited"
    warnings.warn_explicit(message, RuntimeWarning, FILENAME, line, source=coro)


# --- one run ---------------------------------------------------------------------------------


class _Run:
    """Everything observed during one run, and the means to end it and report."""

    def __init__(self, request: dict[str, Any], channel_fd: int) -> None:
        self.nonce = str(request["nonce"])
        self.source = str(request["source"])
        self.real_time = bool(request.get("real_time", False))
        self.cpu_hog_seconds = float(request.get("cpu_hog_seconds", 0.1))
        self.channel_fd = channel_fd
        self.clock: VirtualClock | None = None
        if not self.real_time:
            cap = float(request.get("virtual_cap", 600.0))
            self.clock = VirtualClock(cap, self.virtual_timeout, self.deadlock)
        self.real_started = _real_monotonic()
        self.events: list[dict[str, Any]] = []
        self.spans: list[dict[str, Any]] = []
        self.span_of: weakref.WeakKeyDictionary[asyncio.Task, dict[str, Any]] = (
            weakref.WeakKeyDictionary()
        )
        self.loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
        self.step_thread: int | None = None
        # Learner lines seen by SIGPROF during the current step, with how often.
        self.step_samples: collections.Counter[int] = collections.Counter()
        self.finished = threading.Lock()

    def now(self) -> float:
        if self.clock is not None:
            return self.clock.now
        return _real_monotonic() - self.real_started

    # installing ---------------------------------------------------------------------------

    def install(self) -> None:
        # The interpreter runs without site (stdlib only), which is what defines these.
        if not hasattr(builtins, "exit"):
            builtins.exit = builtins.quit = sys.exit  # type: ignore[attr-defined]
        os.environ["TZ"] = "UTC"
        time.tzset()
        random.seed(0)
        sys.set_coroutine_origin_tracking_depth(8)
        asyncio.events.Handle._run = _handle_run
        warnings._warn_unawaited_coroutine = _warn_unawaited
        time.sleep = _sleep
        if self.clock is None:
            asyncio.set_event_loop_policy(HarnessPolicy())
            asyncio.SelectorEventLoop = HarnessLoop
        else:
            asyncio.set_event_loop_policy(VirtualPolicy())
            asyncio.SelectorEventLoop = VirtualLoop
            patches = {
                "time": _v_time,
                "time_ns": _v_time_ns,
                "monotonic": _v_monotonic,
                "monotonic_ns": _v_monotonic_ns,
                "perf_counter": _v_monotonic,
                "perf_counter_ns": _v_monotonic_ns,
                "localtime": _v_localtime,
                "gmtime": _v_gmtime,
                "ctime": _v_ctime,
                "asctime": _v_asctime,
                "strftime": _v_strftime,
            }
            for name, function in patches.items():
                setattr(time, name, function)
            datetime.datetime = _VirtualDatetime  # type: ignore[misc]
            datetime.date = _VirtualDate  # type: ignore[misc]
            threading.Thread.start = _thread_start  # type: ignore[method-assign]
            threading.Thread._bootstrap_inner = _thread_bootstrap_inner  # type: ignore[attr-defined]
            threading.Thread.join = _thread_join  # type: ignore[method-assign]
            concurrent.futures.ThreadPoolExecutor.submit = _pool_submit  # type: ignore[method-assign]
            concurrent.futures.thread._WorkItem.__init__ = _workitem_init
            concurrent.futures.thread._WorkItem.run = _workitem_run
            threading.Condition.wait = _condition_wait  # type: ignore[method-assign]
            threading.Condition.notify = _condition_notify  # type: ignore[method-assign]
            threading.Condition.notify_all = _condition_notify_all  # type: ignore[method-assign]
            # Deadlines computed by threading (wait_for, Semaphore) and queue are virtual too.
            threading._time = _v_monotonic  # type: ignore[attr-defined]
            queue.time = _v_monotonic  # type: ignore[attr-defined]
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGPROF, _sample)
            signal.setitimer(signal.ITIMER_PROF, SAMPLE_SECONDS, SAMPLE_SECONDS)

    # observations -------------------------------------------------------------------------

    def event(self, kind: str, line: int | None, en: str, ru: str, **extra: Any) -> None:
        if len(self.events) >= MAX_EVENTS and kind not in ("deadlock", "virtual_timeout"):
            return
        self.events.append({"kind": kind, "line": line, "message": {"en": en, "ru": ru}, **extra})

    def task_created(self, task: asyncio.Task) -> None:
        self.loops.add(task.get_loop())
        if getattr(task.get_coro(), "cr_code", None) in _HOUSEKEEPING_CODES:
            return
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
        }
        self.spans.append(span)
        self.span_of[task] = span
        task.add_done_callback(self.task_done)

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
        elif _awaits_tasks(task):
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
        line, callee = _learner_call(frame)
        task = asyncio.current_task() if asyncio.events._get_running_loop() else None
        s = _seconds_text(seconds)
        if call is None:
            text = f"time.sleep({s})"
            advice = "Use await asyncio.sleep(...) inside async code."
            advice_ru = "В асинхронном коде пишите await asyncio.sleep(...)."
        else:
            if line is None or (
                task is not None and task.get_coro().cr_code in _HOUSEKEEPING_CODES
            ):
                return  # asyncio's own shutdown waiting for its threads, not the learner
            text = f"{callee or call}()"
            advice = (
                "Await an asyncio equivalent, or run it in a thread: await asyncio.to_thread(...)."
            )
            advice_ru = (
                "Используйте asyncio-аналог с await или вынесите вызов в поток: "
                "await asyncio.to_thread(...)."
            )
        label = _task_label(task)
        where, where_ru = _where(line)
        who = f" (task {label})" if label else ""
        who_ru = f" (задача {label})" if label else ""
        self.event(
            "blocking_call",
            line,
            f"{text} blocked the event loop for {s} s{where}{who}: no other task could run "
            f"meanwhile. {advice}",
            f"{text} заблокировал цикл событий на {s} с{where_ru}{who_ru}: всё это время другие "
            f"задачи не могли выполняться. {advice_ru}",
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
            line, _ = _waiting_line(task)
        s = _seconds_text(round(spent, 2))
        label = _task_label(task)
        who = f"Task {label}" if label else "A callback"
        who_ru = f"Задача {label}" if label else "Обратный вызов"
        where, where_ru = _where(line)
        self.event(
            "cpu_hog",
            line,
            f"{who} held the event loop for {s} s of CPU time{where} without reaching an await: "
            "no other task could run meanwhile.",
            f"{who_ru} занимала цикл событий {s} с процессорного времени{where_ru}, не доходя до "
            "await: всё это время другие задачи не могли выполняться.",
            task=task.get_name() if task else None,
            seconds=round(spent, 3),
        )

    def never_awaited(self, coro: Any) -> int | None:
        origin = getattr(coro, "cr_origin", None) or ()
        line = next((ln for fn, ln, _ in origin if fn == FILENAME), None)
        name = getattr(coro, "__qualname__", "coroutine")
        where = f" created at line {line}" if line else ""
        where_ru = f", созданная в строке {line}," if line else ""
        self.event(
            "never_awaited",
            line,
            f"The coroutine {name}(){where} was never awaited, so its body never ran. Write "
            f"await {name}(...) or wrap it in asyncio.create_task(...).",
            f"Корутину {name}(){where_ru} ни разу не дождались (await), поэтому её тело не "
            f"выполнилось. Напишите await {name}(...) или оберните в asyncio.create_task(...).",
        )
        return line

    def loop_exception(self, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        future = context.get("future")
        if not isinstance(future, asyncio.Task) or exc is None:
            return
        if not str(context.get("message", "")).startswith("Task exception was never retrieved"):
            return
        line = _traceback_line(exc.__traceback__)
        label = _task_label(future)
        kind = type(exc).__name__
        where, where_ru = _where(line)
        self.event(
            "unretrieved_exception",
            line,
            f"Task {label} failed with {kind}{where}, but nothing awaited it or looked at its "
            "result, so the error went unnoticed.",
            f"Задача {label} завершилась с ошибкой {kind}{where_ru}, но её никто не дождался "
            "(await) и не проверил результат, так что ошибка прошла незамеченной.",
            task=future.get_name(),
        )

    # ending -------------------------------------------------------------------------------

    def pending_tasks(self) -> list[asyncio.Task]:
        order = {id(span): index for index, span in enumerate(self.spans)}
        tasks = [t for loop in list(self.loops) for t in asyncio.all_tasks(loop)]
        return sorted(tasks, key=lambda t: order.get(id(self.span_of.get(t)), 0))

    def deadlock(self) -> None:
        """Nothing can wake any task: report each task's waiting line and end the run now."""
        running = asyncio.current_task() if asyncio.events._get_running_loop() else None
        for task in self.pending_tasks():
            if _awaits_tasks(task):
                continue
            if task is running:
                # It blocked its own loop in a threading wait (Future.result(), Queue.get()).
                line, callee = _learner_call(sys._getframe())
                what = f"{callee}()" if callee else ""
            else:
                line, what = _waiting_line(task)
            label = _task_label(task)
            on = f" ({what})" if what else ""
            where, where_ru = _where(line)
            self.event(
                "deadlock",
                line,
                f"Task {label} waits forever{where}{on}: no timer, task or thread is left that "
                "could wake it.",
                f"Задача {label} ждёт вечно{where_ru}{on}: не осталось ни таймера, ни задачи, ни "
                "потока, которые могли бы её разбудить.",
                task=task.get_name(),
            )
        if not any(e["kind"] == "deadlock" for e in self.events):
            # No task to blame: threads wait for each other (join, Event, Queue, Lock...).
            frames = sys._current_frames()
            for thread in threading.enumerate():
                line = _snippet_line(frames.get(thread.ident or 0))
                if line is None:
                    continue
                self.event(
                    "deadlock",
                    line,
                    f"Thread {thread.name} waits forever at line {line}: nothing is left that "
                    "could end the wait.",
                    f"Поток {thread.name} ждёт вечно в строке {line}: не осталось ничего, что "
                    "могло бы закончить это ожидание.",
                )
        self.finish("deadlock", None, None)

    def virtual_timeout(self) -> None:
        assert self.clock is not None
        cap = _seconds_text(self.clock.cap)
        line = None
        for task in self.pending_tasks():
            if not _awaits_tasks(task):
                line, _ = _waiting_line(task)
                if line is not None:
                    break
        frames = sys._current_frames()
        for thread in threading.enumerate():
            if line is None:
                line = _snippet_line(frames.get(thread.ident or 0))
        seen = f" (last seen waiting at line {line})" if line else ""
        seen_ru = f" (последнее ожидание в строке {line})" if line else ""
        self.event(
            "virtual_timeout",
            line,
            f"The program was still running after {cap} s of virtual time{seen}; it was "
            "stopped. Does a loop never end?",
            f"Программа всё ещё работала после {cap} с виртуального времени{seen_ru} и была "
            "остановлена. Может быть, цикл никогда не заканчивается?",
        )
        self.finish("virtual_timeout", None, None)

    def finish(self, status: str, exit_code: int | None, exception: dict[str, Any] | None) -> None:
        """Flush the snippet's output, send the one report, and end the process if cut short."""
        if not self.finished.acquire(blocking=False):
            # Another thread is already reporting; it ends the process.
            while True:
                _real_sleep(1)
        with contextlib.suppress(Exception):
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(Exception):
                stream.flush()
        now = self.now()
        tasks = []
        for span in self.spans:
            span = dict(span)
            joined = span.pop("_joined")
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
        }
        data = frame(_json_dumps(report, default=str).encode())
        with contextlib.suppress(OSError):
            while data:
                data = data[_os_write(self.channel_fd, data) :]
            _os_close(self.channel_fd)
        if status in ("deadlock", "virtual_timeout"):
            _os_exit(0)

    # running ------------------------------------------------------------------------------

    def execute(self) -> int:
        """Run the snippet as __main__ the way `python main.py` would; return its exit code."""
        lines = self.source.splitlines(keepends=True)
        linecache.cache[FILENAME] = (len(self.source), None, lines, FILENAME)
        exception = None
        exit_code = 0
        try:
            code = compile(self.source, FILENAME, "exec", dont_inherit=True)
            module = types.ModuleType("__main__")
            module.__file__ = FILENAME
            module.__builtins__ = builtins  # type: ignore[attr-defined]
            sys.modules["__main__"] = module
            sys.argv = [FILENAME]
            exec(code, module.__dict__)
        except SystemExit as stop:
            exit_code = _exit_status(stop.code)
        except BaseException as error:  # noqa: B036 - the learner's program may raise anything
            exit_code = 1
            tb = error.__traceback__
            while tb is not None and tb.tb_frame.f_code.co_filename != FILENAME:
                tb = tb.tb_next
            traceback.print_exception(type(error), error, tb)
            line = error.lineno if isinstance(error, SyntaxError) else _traceback_line(tb)
            exception = {"type": type(error).__name__, "message": str(error), "line": line}
        self.wait_for_threads()
        gc.collect()
        gc.collect()
        self.finish("ok" if exit_code == 0 and exception is None else "error", exit_code, exception)
        return exit_code

    def wait_for_threads(self) -> None:
        """Like interpreter shutdown: run executors' exit hooks and join non-daemon threads.

        Each join waits on the clock for its own thread, so the others may move the clock.
        """
        hooks = getattr(threading, "_threading_atexits", [])
        for hook in reversed(list(hooks)):
            with contextlib.suppress(Exception):
                hook()
        hooks.clear()
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                with contextlib.suppress(Exception):
                    thread.join()


def _exit_status(code: object) -> int:
    """sys.exit(code) as the interpreter turns it into a process exit status."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def serve_one(request: bytes | dict[str, Any], channel_fd: int) -> int:
    """Run one snippet in this process and write the report to channel_fd.

    Call once per process: it patches the interpreter for the run. Returns the snippet's exit
    code; the caller then ends the process with os._exit. Deadlocks and virtual timeouts end
    the process from inside.
    """
    global _run
    if _run is not None:
        raise RuntimeError("serve_one runs once per process")
    if isinstance(request, bytes | bytearray):
        request = decode(bytes(request))
    _run = _Run(request, channel_fd)
    _run.install()
    return _run.execute()


def _read_all(fd: int) -> bytes:
    chunks = []
    total = 0
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_MESSAGE + HEADER.size:
            raise ValueError("request too large")
    return b"".join(chunks)


def main(args: list[str]) -> None:
    """The loader's entry, args [CHANNEL_FD]: stdin holds a limits message, then the request.

    The process launcher starts this before it knows the run (a warm spare), so the limits
    come with the request instead of on the command line.
    """
    channel_fd = int(args[0]) if args else 3
    # What is imported now lives for the whole run: the final gc.collect() need not walk it.
    gc.freeze()
    data = _read_all(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    limits, request = split(data)
    apply_limits(json.loads(limits))
    code = serve_one(request, channel_fd)
    os._exit(code)
