"""asyncio's internals and its loop: a loop on the virtual clock, and what tasks do.

Every asyncio.run, new_event_loop, run_until_complete, run_forever gets a loop whose time() is
the clock and whose waits for a timer sleep on it; the loop's own _run_once times every callback
and task step (cpu_hog, sampled by SIGPROF) and keeps its task's span; never-awaited coroutines
and unretrieved task exceptions are reported. Differences between Python versions in asyncio live
here (and in runner/inside/frames.py, which reads tasks).
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import asyncio.events
import asyncio.futures
import collections
import contextvars
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
from runner.inside.frames import FILENAME, HOUSEKEEPING_CODES, snippet_line

# A loop that watches real file descriptors (pipes of a subprocess) gets this long, in real
# time, before a wait that nothing else can end counts as a deadlock.
IO_GRACE_SECONDS = 1.0
# How often (CPU seconds) a long step is sampled for the learner's line it is busy on.
SAMPLE_SECONDS = 0.01
_real_thread_time = time.thread_time
_real_perf_counter = time.perf_counter
_get_ident = threading.get_ident
_real_warn_unawaited = warnings._warn_unawaited_coroutine
_BaseLoop = asyncio.SelectorEventLoop
_LOOP_DEL = asyncio.base_events.BaseEventLoop.__del__.__code__
_BasePolicy = asyncio.DefaultEventLoopPolicy
# BaseEventLoop._run_once's constants (the same in 3.11 to 3.13).
_MIN_SCHEDULED = asyncio.base_events._MIN_SCHEDULED_TIMER_HANDLES
_MIN_CANCELLED_FRACTION = asyncio.base_events._MIN_CANCELLED_TIMER_HANDLES_FRACTION
_MAX_SELECT_TIMEOUT = asyncio.base_events.MAXIMUM_SELECT_TIMEOUT
_format_handle = asyncio.base_events._format_handle
_logger = asyncio.base_events.logger
# What the loop's call_soon and call_at make their handles with.
_Handle = asyncio.events.Handle
_new_object = object.__new__
# What asyncio.sleep's timer calls, and the future it is given.
_set_result_unless_cancelled = asyncio.futures._set_result_unless_cancelled
_Future = asyncio.Future
_copy_context = contextvars.copy_context


class _Timer(asyncio.TimerHandle):
    """The loop's TimerHandle: cancel() in one call outside debug mode (TimerHandle.cancel,
    the loop's _timer_handle_cancelled, Handle.cancel and get_debug make four)."""

    __slots__ = ()

    def cancel(self) -> None:
        if self._cancelled:
            return
        loop = self._loop
        if loop._debug:
            super().cancel()
            return
        if self._scheduled:
            loop._timer_cancelled_count += 1
        self._cancelled = True
        self._callback = None
        self._args = None


_Timer.__name__ = _Timer.__qualname__ = "TimerHandle"
_Timer.__module__ = asyncio.TimerHandle.__module__


class HarnessLoop(_BaseLoop):
    """The standard selector loop, reporting the tasks it creates and the errors it handles,
    and timing and following every callback and task step it runs.

    Its timers are kept by deadline, each deadline's in the order they were scheduled, and
    `_scheduled` is the heap of the deadlines alone: in CPython the clock moves between two
    call_later calls, so equal delays give distinct deadlines in the order they were asked for;
    on the virtual clock they are equal, and each deadline's queue keeps them in that order
    (the heap holds numbers, so it never compares two handles, and 10,000 timers due at once
    are one entry). Its _run_once is BaseEventLoop's (the same in 3.11 to 3.13) reading those
    queues, with the steps run by _run_ready.
    """

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        # deadline -> its timers, in the order they were scheduled; how many in all.
        self._timers: dict[float, collections.deque[asyncio.TimerHandle]] = {}
        self._timer_count = 0
        super().__init__(selector)
        if state.run is not None:
            state.run.loop_created(self)

    def create_task(self, coro: Any, *, name: str | None = None, context: Any = None) -> Any:
        run = state.run
        if self._task_factory is not None:
            task = super().create_task(coro, name=name, context=context)
            if run is not None and isinstance(task, asyncio.Task):
                run.task_created(task)
            return task
        # As BaseEventLoop.create_task, with the Task that notes cancel().
        self._check_closed()
        task = lifecycle.Task(coro, loop=self, name=name, context=context)
        if task._source_traceback:
            del task._source_traceback[-1]
        if run is not None:
            if run.spans_full:
                # Past the spans kept, a task is only counted (the loop's own are not).
                if getattr(coro, "cr_code", None) not in HOUSEKEEPING_CODES:
                    run.task_count += 1
            else:
                run.task_created(task)
        return task

    def set_debug(self, enabled: bool) -> None:
        super().set_debug(enabled)
        # Every Future and Task asks its loop get_debug() as it is made: a C callable that
        # returns `enabled` answers without a Python call.
        self.get_debug = itertools.repeat(enabled).__next__

    # Scheduling: BaseEventLoop's call_soon, call_later and call_at make a Handle through four
    # or five Python calls (the closed check, the debug check, Handle.__init__); outside debug
    # mode these make the same Handle in one. Closed or in debug mode, asyncio's own code runs.

    def call_soon(self, callback: Any, *args: Any, context: Any = None) -> Any:
        if self._closed or self._debug:
            return super().call_soon(callback, *args, context=context)
        handle = _new_object(_Handle)
        handle._context = _copy_context() if context is None else context
        handle._loop = self
        handle._callback = callback
        handle._args = args
        handle._cancelled = False
        handle._repr = None
        handle._source_traceback = None
        self._ready.append(handle)
        return handle

    def call_later(self, delay: float, callback: Any, *args: Any, context: Any = None) -> Any:
        if delay is None or self._closed or self._debug:
            return super().call_later(delay, callback, *args, context=context)
        return self._timer_at(self.time() + delay, callback, args, context)

    def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> Any:
        """BaseEventLoop.call_at (the same in 3.11 to 3.13), with timers kept in order."""
        if when is not None and not self._closed and not self._debug:
            return self._timer_at(when, callback, args, context)
        if when is None:
            raise TypeError("when cannot be None")
        self._check_closed()
        self._check_thread()
        self._check_callback(callback, "call_at")
        timer = _Timer(when, callback, args, self, context)
        if timer._source_traceback:
            del timer._source_traceback[-1]
        return self._queue_timer(timer, when)

    def _timer_at(self, when: float, callback: Any, args: tuple[Any, ...], context: Any) -> Any:
        """A timer as call_at makes it, open and outside debug mode, in one call (call_later
        passes its *args on as they are)."""
        timer = _new_object(_Timer)
        timer._context = _copy_context() if context is None else context
        timer._loop = self
        timer._callback = callback
        timer._args = args
        timer._cancelled = False
        timer._repr = None
        timer._source_traceback = None
        timer._when = when
        return self._queue_timer(timer, when)

    def _queue_timer(self, timer: asyncio.TimerHandle, when: float) -> asyncio.TimerHandle:
        """Queue timer, due at `when`, behind the others due then."""
        timers = self._timers.get(when)
        if timers is None:
            self._timers[when] = timers = collections.deque()
            heapq.heappush(self._scheduled, when)
        timers.append(timer)
        self._timer_count += 1
        timer._scheduled = True
        return timer

    def _run_once(self) -> None:
        """One iteration: BaseEventLoop._run_once, with the timers queued by deadline."""
        scheduled, timers = self._scheduled, self._timers
        count = self._timer_count
        if count > _MIN_SCHEDULED and self._timer_cancelled_count / count > _MIN_CANCELLED_FRACTION:
            # Remove delayed calls that were cancelled if their number is too high.
            for when, queue in list(timers.items()):
                kept = collections.deque()
                for timer in queue:
                    if timer._cancelled:
                        timer._scheduled = False
                    else:
                        kept.append(timer)
                if kept:
                    timers[when] = kept
                else:
                    del timers[when]
            self._scheduled = scheduled = list(timers)
            heapq.heapify(scheduled)
            self._timer_count = sum(map(len, timers.values()))
            self._timer_cancelled_count = 0
        else:
            # Remove delayed calls that were cancelled from head of queue.
            while scheduled:
                first = timers[scheduled[0]]
                while first and first[0]._cancelled:
                    self._timer_cancelled_count -= 1
                    self._timer_count -= 1
                    first.popleft()._scheduled = False
                if first:
                    break
                del timers[heapq.heappop(scheduled)]
        timeout = None
        if self._ready or self._stopping:
            timeout = 0
        elif scheduled:
            timeout = min(max(0, scheduled[0] - self.time()), _MAX_SELECT_TIMEOUT)
        event_list = self._selector.select(timeout)
        self._process_events(event_list)
        event_list = None  # Needed to break cycles when an exception occurs.
        # Handle 'later' callbacks that are ready.
        end_time = self.time() + self._clock_resolution
        ready = self._ready
        while scheduled and scheduled[0] < end_time:
            due = timers.pop(heapq.heappop(scheduled))
            self._timer_count -= len(due)
            for timer in due:
                timer._scheduled = False
            ready.extend(due)
        # Only the callbacks ready now; those they schedule run the next time round.
        ntodo = len(ready)
        if ntodo:
            self._run_ready(ntodo)

    def _run_ready(self, ntodo: int) -> None:
        """Run the first ntodo ready callbacks, timing each and following the tasks with a span.

        One clock read a step: a step runs from the end of the one before. Its CPU time costs
        no system call unless it took cpu_hog_seconds of real time: only then is the thread's
        CPU time read, and the step's share is what the thread used since the first of these
        callbacks (or the last such read), less the real time from then until the step began,
        and at most the step's own real time.
        """
        ready = self._ready
        run = state.run
        if run is None or self._debug:
            _run_plain(self, ntodo)
            return
        hog = run.cpu_hog_seconds
        samples = run.step_samples
        run.step_thread = self._thread_id or _get_ident()
        marked_cpu = _real_thread_time()
        marked = last = _real_perf_counter()
        try:
            for _ in range(ntodo):
                handle = ready.popleft()
                if handle._cancelled:
                    continue
                callback, args = handle._callback, handle._args
                # asyncio.sleep's timer (its own future, not done): nothing it runs can fail or
                # read the context, so it needs neither Handle._run nor its callback's frame.
                ends_sleep = (
                    callback is _set_result_unless_cancelled
                    and len(args) == 2
                    and type(args[0]) is _Future
                    and not args[0].done()
                )
                if ends_sleep:
                    owner = task = None
                else:
                    owner = getattr(callback, "__self__", None)
                    # Only tasks with a span (the first MAX_SPANS) are followed step by step.
                    task = owner if getattr(owner, "_loopdeck_span", False) else None
                    if task is not None:
                        run.step_started(task)
                if samples:
                    samples.clear()
                began = last
                try:
                    if ends_sleep:
                        args[0].set_result(args[1])
                    else:
                        handle._run()
                finally:
                    last = _real_perf_counter()
                    if task is not None:
                        run.step_ended(task)
                    if last - began >= hog:
                        cpu = _real_thread_time()
                        spent = min(last - began, cpu - marked_cpu - (began - marked))
                        if spent >= hog:
                            if task is None and isinstance(owner, asyncio.Task):
                                task = owner
                            run.cpu_hog(spent, task, handle)
                        marked_cpu, marked = cpu, last
                handle = None  # Needed to break cycles when an exception occurs.
        finally:
            run.step_thread = None

    def call_exception_handler(self, context: dict[str, Any]) -> None:
        if state.run is not None:
            state.run.loop_exception(context)
        super().call_exception_handler(context)

    def close(self) -> None:
        if state.run is not None and not self.is_closed() and not self.is_running():
            # A loop dropped unclosed is closed by its __del__: that is not the learner closing it.
            state.run.loop_closing(self, dropped=sys._getframe(1).f_code is _LOOP_DEL)
        super().close()
        if self._closed:
            self._timers.clear()
            self._timer_count = 0


def _run_plain(loop: HarnessLoop, ntodo: int) -> None:
    """The ready callbacks as BaseEventLoop._run_once runs them (debug mode included)."""
    ready = loop._ready
    for _ in range(ntodo):
        handle = ready.popleft()
        if handle._cancelled:
            continue
        if loop._debug:
            try:
                loop._current_handle = handle
                t0 = loop.time()
                handle._run()
                dt = loop.time() - t0
                if dt >= loop.slow_callback_duration:
                    _logger.warning("Executing %s took %.3f seconds", _format_handle(handle), dt)
            finally:
                loop._current_handle = None
        else:
            handle._run()
    handle = None  # Needed to break cycles when an exception occurs.


class _VirtualSelector(selectors.DefaultSelector):
    """The loop's selector: waiting for the next timer means sleeping on the virtual clock."""

    loop: VirtualLoop | None = None

    def select(self, timeout: float | None = None) -> list[Any]:
        loop = self.loop
        events = super().select(0)
        if events or timeout == 0 or loop is None or state.run is None or state.run.clock is None:
            return events
        scheduled = loop._scheduled
        wake = scheduled[0] if scheduled else None
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
        return super().select(0)


class VirtualLoop(HarnessLoop):
    """A loop whose time() is the virtual clock; it never sleeps in real time for a timer."""

    def __init__(self) -> None:
        self._loopdeck_clock = state.clock()
        selector = _VirtualSelector()
        super().__init__(selector)
        selector.loop = self

    def time(self) -> float:
        clock = self._loopdeck_clock
        return clock.now if clock is not None else 0.0

    def call_later(self, delay: float, callback: Any, *args: Any, context: Any = None) -> Any:
        clock = self._loopdeck_clock
        if delay is None or self._closed or self._debug or clock is None:
            return super().call_later(delay, callback, *args, context=context)
        return self._timer_at(clock.now + delay, callback, args, context)

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


def install(virtual: bool, origin_depth: int) -> None:
    """The loop (on the clock, or the real one), the step timing and the SIGPROF sampling, and
    origin_depth frames kept of where each coroutine is created (runner/inside/origins.py)."""
    sys.set_coroutine_origin_tracking_depth(origin_depth)
    lifecycle.install()
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
