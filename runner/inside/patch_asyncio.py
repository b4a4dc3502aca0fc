"""asyncio's internals and its loop: a loop on the virtual clock, and what tasks do.

Every asyncio.run, new_event_loop, run_until_complete, run_forever gets a loop whose time() is
the clock and whose waits for a timer sleep on it; every callback and task step is timed
(cpu_hog, sampled by SIGPROF) and its task's span kept; never-awaited coroutines and
unretrieved task exceptions are reported. Differences between Python versions in asyncio live
here (and in runner/inside/frames.py, which reads tasks).
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import asyncio.events
import heapq
import itertools
import selectors
import signal
import sys
import threading
import time
import types
import warnings
from typing import Any

from runner.inside import lifecycle, state
from runner.inside.frames import FILENAME, snippet_line

# A loop that watches real file descriptors (pipes of a subprocess) gets this long, in real
# time, before a wait that nothing else can end counts as a deadlock.
IO_GRACE_SECONDS = 1.0
# How often (CPU seconds) a long step is sampled for the learner's line it is busy on.
SAMPLE_SECONDS = 0.01
# Frames kept of where each coroutine was created: the never-awaited report names the learner's
# line among them (the creator's, or its caller's when created inside a library call). Each
# frame costs every coroutine of the run a little.
ORIGIN_DEPTH = 2

_real_thread_time = time.thread_time
_real_perf_counter = time.perf_counter
_get_ident = threading.get_ident
_real_handle_run = asyncio.events.Handle._run
_real_warn_unawaited = warnings._warn_unawaited_coroutine
_BaseLoop = asyncio.SelectorEventLoop
_LOOP_DEL = asyncio.base_events.BaseEventLoop.__del__.__code__
_BasePolicy = asyncio.DefaultEventLoopPolicy


class HarnessLoop(_BaseLoop):
    """The standard selector loop, reporting the tasks it creates and the errors it handles."""

    _loopdeck_cpu: float | None = None
    _loopdeck_walls = 0.0

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        selector = selector or _MarkingSelector()
        super().__init__(selector)
        if isinstance(selector, _MarkingSelector):
            selector.loop = self
        if state.run is not None:
            state.run.loop_created(self)

    def create_task(self, coro: Any, *, name: str | None = None, context: Any = None) -> Any:
        if self._task_factory is None:
            # As BaseEventLoop.create_task, with the Task that notes cancel() and awaits.
            self._check_closed()
            task = lifecycle.Task(coro, loop=self, name=name, context=context)
            if task._source_traceback:
                del task._source_traceback[-1]
        else:
            task = super().create_task(coro, name=name, context=context)
        run = state.run
        if run is not None and isinstance(task, asyncio.Task):
            kept = len(run.spans)
            run.task_created(task)
            if len(run.spans) > kept:
                task._loopdeck_span = True  # type: ignore[attr-defined]
        return task

    def call_exception_handler(self, context: dict[str, Any]) -> None:
        if state.run is not None:
            state.run.loop_exception(context)
        super().call_exception_handler(context)

    def close(self) -> None:
        if state.run is not None and not self.is_closed() and not self.is_running():
            # A loop dropped unclosed is closed by its __del__: that is not the learner closing it.
            state.run.loop_closing(self, dropped=sys._getframe(1).f_code is _LOOP_DEL)
        super().close()


class _MarkingSelector(selectors.DefaultSelector):
    """The loop's selector, noting the thread's CPU time once the loop has its events (once
    per loop iteration): _handle_run measures long steps from there."""

    loop: HarnessLoop | None = None

    def select(self, timeout: float | None = None) -> list[Any]:
        events = self.wait(timeout)
        if self.loop is not None:
            self.loop._loopdeck_cpu, self.loop._loopdeck_walls = _real_thread_time(), 0.0
        return events

    def wait(self, timeout: float | None) -> list[Any]:
        return super().select(timeout)


class _VirtualSelector(_MarkingSelector):
    """The loop's selector: waiting for the next timer means sleeping on the virtual clock."""

    loop: VirtualLoop | None = None

    def wait(self, timeout: float | None = None) -> list[Any]:
        loop = self.loop
        events = super().wait(0)
        if events or timeout == 0 or loop is None or state.run is None or state.run.clock is None:
            return events
        scheduled = loop._scheduled
        wake = scheduled[0]._when if scheduled else None
        watches_io = len(self.get_map()) > 1

        def io_ready() -> bool:
            return bool(selectors.DefaultSelector.select(self, 0))

        def already_woken() -> bool:
            # Checked once this loop counts as waiting: a callback another thread handed over
            # before that moment is seen here, and one handed over after it wakes the loop.
            return bool(loop._ready) or io_ready()

        state.run.clock.block(
            wake,
            target=loop,
            interrupted=io_ready if watches_io else None,
            grace=IO_GRACE_SECONDS if watches_io else 0.0,
            registered=already_woken,
        )
        return super().wait(0)


# The order timers are scheduled in, across every loop of the run.
_timer_order = itertools.count()


class _OrderedTimerHandle(asyncio.TimerHandle):
    """A timer that sorts by its deadline, then by when it was scheduled.

    In CPython the clock moves between two call_later calls, so equal delays give distinct
    deadlines in the order they were asked for; on the virtual clock they are equal, and the
    heap alone would pop them in no particular order.
    """

    __slots__ = ("_order",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._order = next(_timer_order)

    # Only these timers are in a VirtualLoop's heap, and heapq compares with < alone.
    def __lt__(self, other: Any) -> bool:
        when, others = self._when, other._when
        return when < others or (when == others and self._order < other._order)

    def __gt__(self, other: Any) -> bool:
        return other < self

    __hash__ = asyncio.TimerHandle.__hash__


class VirtualLoop(HarnessLoop):
    """A loop whose time() is the virtual clock; it never sleeps in real time for a timer."""

    def __init__(self) -> None:
        super().__init__(_VirtualSelector())

    def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> Any:
        """BaseEventLoop.call_at (the same in 3.11 to 3.13), with timers kept in order."""
        if when is None:
            raise TypeError("when cannot be None")
        self._check_closed()
        if self._debug:
            self._check_thread()
            self._check_callback(callback, "call_at")
        timer = _OrderedTimerHandle(when, callback, args, self, context)
        if timer._source_traceback:
            del timer._source_traceback[-1]
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer

    def time(self) -> float:
        return state.run.clock.now if state.run is not None and state.run.clock is not None else 0.0

    def _write_to_self(self) -> None:
        # Another thread handed the loop a callback: the loop is running again from this moment,
        # so the clock cannot jump past the callback's arrival.
        super()._write_to_self()
        if state.run is not None and state.run.clock is not None:
            state.run.clock.release(self)


class HarnessPolicy(_BasePolicy):
    _loop_factory = HarnessLoop


class VirtualPolicy(_BasePolicy):
    _loop_factory = VirtualLoop


def _handle_run(self: asyncio.Handle) -> None:
    """Every callback and task step of every loop: when tasks run, and how long they hold it.

    A step's CPU time costs no system call unless the step took cpu_hog_seconds of real time:
    only then is the thread's CPU time read, and the step's share taken from what the thread
    used since the loop's last select (or last such read), less the real time of the short steps
    in between (at least their CPU time), and at most the step's own real time.
    """
    run = state.run
    if run is None:
        _real_handle_run(self)
        return
    owner = getattr(self._callback, "__self__", None)
    # Only tasks with a span (the first MAX_SPANS) are followed step by step.
    task = owner if getattr(owner, "_loopdeck_span", False) else None
    if task is not None:
        run.step_started(task)
    loop = self._loop
    run.step_thread = getattr(loop, "_thread_id", None) or _get_ident()
    if run.step_samples:
        run.step_samples.clear()
    marked = getattr(loop, "_loopdeck_cpu", None)
    cpu_before = _real_thread_time() if marked is None else 0.0
    began = _real_perf_counter()
    try:
        _real_handle_run(self)
    finally:
        wall = _real_perf_counter() - began
        spent = 0.0
        if marked is None:
            spent = _real_thread_time() - cpu_before
        elif wall >= run.cpu_hog_seconds:
            cpu = _real_thread_time()
            spent = min(wall, cpu - marked - loop._loopdeck_walls)
            loop._loopdeck_cpu, loop._loopdeck_walls = cpu, 0.0
        else:
            loop._loopdeck_walls += wall
        run.step_thread = None
        if task is not None:
            run.step_ended(task)
        if spent >= run.cpu_hog_seconds:
            if task is None and isinstance(owner, asyncio.Task):
                task = owner
            run.cpu_hog(spent, task, self)


def _sample(signum: int, frame: types.FrameType | None) -> None:
    """SIGPROF: note which learner line a long step is busy on."""
    run = state.run
    if run is None or run.step_thread is None:
        return
    if run.step_thread != threading.get_ident():
        frame = sys._current_frames().get(run.step_thread)
    line = snippet_line(frame)
    if line is not None:
        run.step_samples[line] += 1


def _warn_unawaited(coro: Any) -> None:
    line = state.run.never_awaited(coro) if state.run is not None else None
    if line is None:
        _real_warn_unawaited(coro)
        return
    # Warn as plain `python main.py` would, pointing at the learner's line, not at the harness.
    name = getattr(coro, "__qualname__", "coroutine")
    message = f"coroutine '{name}' was never awaited"
    warnings.warn_explicit(message, RuntimeWarning, FILENAME, line, source=coro)


def install(virtual: bool) -> None:
    """The loop (on the clock, or the real one), the step timing and the SIGPROF sampling."""
    sys.set_coroutine_origin_tracking_depth(ORIGIN_DEPTH)
    lifecycle.install()
    asyncio.events.Handle._run = _handle_run
    warnings._warn_unawaited_coroutine = _warn_unawaited
    if virtual:
        asyncio.set_event_loop_policy(VirtualPolicy())
        asyncio.SelectorEventLoop = VirtualLoop
    else:
        asyncio.set_event_loop_policy(HarnessPolicy())
        asyncio.SelectorEventLoop = HarnessLoop
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGPROF, _sample)
        signal.setitimer(signal.ITIMER_PROF, SAMPLE_SECONDS, SAMPLE_SECONDS)


def stop_sampling() -> None:
    signal.setitimer(signal.ITIMER_PROF, 0, 0)
