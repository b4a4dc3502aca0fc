"""Fair slots: runs waiting for a slot are served round-robin across their owners.

A launcher serves a few runs at once (its slots). Without fairness, one learner's runs that
wait in real time until their wall limit can hold every slot while another learner's `print`
waits behind them. The gate gives each free slot to the waiting owner holding the fewest slots
(ties: the one served longest ago), and never lets one owner hold more than `per_owner` slots,
so the others always find one free within a short run's time.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Hashable, Iterator
from contextlib import contextmanager


class FairGate:
    """Admits at most `capacity` runs at once, `per_owner` of them one owner's (owner None:
    runs nobody owns, such as the CLI's or a deck proof's, are only limited by capacity)."""

    def __init__(self, capacity: int, per_owner: int | None = None) -> None:
        self.capacity = max(1, capacity)
        self.per_owner = per_owner or max(1, self.capacity // 2)
        self._lock = threading.Lock()
        self._running: dict[Hashable, int] = {}
        self._waiting: dict[Hashable, deque[threading.Event]] = {}
        self._served: dict[Hashable, int] = {}
        self._order = itertools.count()
        self._total = 0

    @contextmanager
    def slot(self, owner: Hashable | None) -> Iterator[None]:
        """Hold one slot for owner while the block runs, after every earlier turn of others."""
        ticket = threading.Event()
        with self._lock:
            self._waiting.setdefault(owner, deque()).append(ticket)
            self._dispatch()
        try:
            ticket.wait()
        except BaseException:
            with self._lock:
                if ticket.is_set():
                    self._release(owner)
                else:
                    self._waiting[owner].remove(ticket)
            raise
        try:
            yield
        finally:
            with self._lock:
                self._release(owner)

    def holding(self, owner: Hashable | None) -> int:
        """Slots owner holds now."""
        with self._lock:
            return self._running.get(owner, 0)

    def _release(self, owner: Hashable | None) -> None:
        self._running[owner] -= 1
        self._total -= 1
        if not self._running[owner] and owner not in self._waiting:
            # Forget owners with nothing running or waiting: the tables stay as small as the
            # number of owners being served.
            del self._running[owner]
            self._served.pop(owner, None)
        self._dispatch()

    def _eligible(self, owner: Hashable | None) -> bool:
        return owner is None or self._running.get(owner, 0) < self.per_owner

    def _dispatch(self) -> None:
        while self._total < self.capacity:
            owners = [o for o, queue in self._waiting.items() if queue and self._eligible(o)]
            if not owners:
                return
            owner = min(owners, key=lambda o: (self._running.get(o, 0), self._served.get(o, -1)))
            self._waiting[owner].popleft().set()
            if not self._waiting[owner]:
                del self._waiting[owner]
            self._running[owner] = self._running.get(owner, 0) + 1
            self._served[owner] = next(self._order)
            self._total += 1
