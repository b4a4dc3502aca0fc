"""concurrent.futures on the virtual clock: executor work items take part in it.

A work item counts as a participant from the moment a worker is free for it to its end; the
worker threads themselves do not. Differences between Python versions in concurrent.futures
live here.
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.thread
import threading
from typing import Any

from runner.inside import state
from runner.inside.clock import VirtualClock

_real_pool_submit = concurrent.futures.ThreadPoolExecutor.submit
_real_workitem_init = concurrent.futures.thread._WorkItem.__init__
_real_workitem_run = concurrent.futures.thread._WorkItem.run
# submitting: the executor whose submit this thread is inside (its work item is being made).
_local = threading.local()


def _pool_submit(
    self: concurrent.futures.ThreadPoolExecutor, fn: Any, /, *args: Any, **kw: Any
) -> Any:
    clock = state.clock()
    if clock is None:
        return _real_pool_submit(self, fn, *args, **kw)
    with clock.lock:
        _pool_grow(self, clock)
    _local.submitting = self
    try:
        return _real_pool_submit(self, fn, *args, **kw)
    except BaseException:
        with clock.lock:
            _pool_shrink(self, clock)
        raise
    finally:
        _local.submitting = None


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
    clock = state.clock()
    self._loopdeck_pool = getattr(_local, "submitting", None) if clock is not None else None
    if self._loopdeck_pool is not None:
        future.add_done_callback(lambda f, item=self: f.cancelled() and _workitem_done(item))


def _workitem_done(item: Any) -> None:
    """A work item ended or was cancelled before it ran: once only."""
    clock = state.clock()
    if clock is None:
        return
    with clock.lock:
        pool = item._loopdeck_pool
        if pool is None:
            return
        item._loopdeck_pool = None
        _pool_shrink(pool, clock)


def _workitem_run(self: Any) -> None:
    clock = state.clock()
    if clock is None or getattr(self, "_loopdeck_pool", None) is None:
        _real_workitem_run(self)
        return
    clock.counted = True
    me = threading.get_ident()
    with clock.lock:
        clock.in_work.add(me)
    try:
        _real_workitem_run(self)
    finally:
        clock.counted = False
        with clock.lock:
            clock.in_work.discard(me)
            _workitem_done(self)


def install() -> None:
    """On the clock only (not with --real-time)."""
    concurrent.futures.ThreadPoolExecutor.submit = _pool_submit  # type: ignore[method-assign]
    concurrent.futures.thread._WorkItem.__init__ = _workitem_init
    concurrent.futures.thread._WorkItem.run = _workitem_run
