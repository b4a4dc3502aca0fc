"""threading on the virtual clock: threads take part in it, and their waits are virtual.

Thread.start/join, Condition.wait/notify/notify_all (and so Event.wait, queue.Queue.get,
Semaphore, Future.result), and the deadlines threading and queue compute. A threading wait in
a running event loop's thread that took virtual time is a blocking call. Differences between
Python versions in threading live here.
"""

from __future__ import annotations

import asyncio.events
import collections
import concurrent.futures.thread
import contextlib
import queue
import sys
import threading
import types
from typing import Any

from runner.inside import state
from runner.inside.patch_time import virtual_monotonic

_real_thread_start = threading.Thread.start
_real_bootstrap_inner = threading.Thread._bootstrap_inner
_real_thread_join = threading.Thread.join
_real_condition_wait = threading.Condition.wait
_real_condition_notify = threading.Condition.notify
_real_condition_notify_all = threading.Condition.notify_all
# bypass: True while this thread waits in real time (starting an executor's worker).
_local = threading.local()


def _thread_start(self: threading.Thread) -> None:
    clock = state.clock()
    if clock is None:
        _real_thread_start(self)
        return
    self._loopdeck_seen = True  # type: ignore[attr-defined]
    # An executor's worker idles between work items; only its work items take part, and the
    # thread starting it waits for it in real time.
    if getattr(self, "_target", None) is concurrent.futures.thread._worker:
        _local.bypass = True
        try:
            _real_thread_start(self)
        finally:
            _local.bypass = False
        return
    self._loopdeck_counted = True  # type: ignore[attr-defined]
    clock.enter()
    try:
        _real_thread_start(self)
    except BaseException:
        clock.leave()
        raise


def _thread_bootstrap_inner(self: threading.Thread) -> None:
    clock = state.clock()
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
        with clock.lock:
            self._loopdeck_ended = True  # type: ignore[attr-defined]
            if counted:
                clock.leave(target=self)
            else:
                clock.release(self)


def _thread_join(self: threading.Thread, timeout: float | None = None) -> None:
    """Thread.join on the clock: a timeout is virtual seconds, and while joining this thread
    is not running, so the joined one may sleep."""
    clock = state.clock()
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
    run = state.run
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
    clock = state.clock()
    if clock is None or self is clock.lock or getattr(_local, "bypass", False):
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
    clock = state.clock()
    if clock is None or self is clock.lock:
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
    clock = state.clock()
    if clock is None or self is clock.lock:
        _real_condition_notify_all(self)
        return
    _condition_notify(self, len(self._waiters) + len(self.__dict__.get("_loopdeck_waiters", ())))  # type: ignore[attr-defined]


def install() -> None:
    """On the clock only (not with --real-time)."""
    threading.Thread.start = _thread_start  # type: ignore[method-assign]
    threading.Thread._bootstrap_inner = _thread_bootstrap_inner  # type: ignore[attr-defined]
    threading.Thread.join = _thread_join  # type: ignore[method-assign]
    threading.Condition.wait = _condition_wait  # type: ignore[method-assign]
    threading.Condition.notify = _condition_notify  # type: ignore[method-assign]
    threading.Condition.notify_all = _condition_notify_all  # type: ignore[method-assign]
    # Deadlines computed by threading (wait_for, Semaphore) and queue are virtual too.
    threading._time = virtual_monotonic  # type: ignore[attr-defined]
    queue.time = virtual_monotonic  # type: ignore[attr-defined]
