"""The virtual clock alone: the one clock every thread of a snippet reads.

Pure: it patches nothing and needs no event loop. Threads take part by calling enter, leave,
block and release; the patches in runner/inside/patch_*.py make the snippet's threads, executor
work items and event loops do so. Tested alone in tests/runner/test_clock.py.
"""

from __future__ import annotations

import collections
import itertools
import threading
import time
from collections.abc import Callable

# How long a waiting thread lets the others run before it suspects they are stuck on something
# the clock cannot see (a lock, a real pipe): only then does it move the clock without them.
STALL_SECONDS = 0.25
# ...and how long before it gives up on them: stuck that long with nothing else able to wake
# anyone, the run is a deadlock (a worker waiting for a real subprocess is not, for a while).
STUCK_SECONDS = 2.0
# Sleepers due at the same virtual moment go one at a time, in the order they went to sleep (as
# in CPython, where the later one's deadline is a little later): each waits until the one before
# it waits again or ends, or has had this long in real time (it may be busy, or stuck on a lock).
TURN_SECONDS = 0.02
# A participant that runs, as far as the clock knows, yet has neither used CPU nor moved the
# clock for this long in real time waits on the outside world (a socket, select, a C lock): the
# run ends then, rather than holding its slot until the wall limit.
REAL_WAIT_SECONDS = 1.0

# (changes seen, real monotonic time, real process CPU time) at the last change.
Mark = tuple[int, float, float]


class VirtualClock:
    """Virtual seconds since the run started, shared by every participating thread.

    Invariant: ``now`` moves only while no participating thread is running. A participant (the
    main thread, a thread the snippet started, an executor work item from submit to its end) is
    either running, asleep until a virtual moment (``time.sleep``, an event loop waiting for its
    next timer, a ``Condition.wait`` with a timeout), or waiting for something another
    participant will do (``Thread.join``, a ``notify``, a loop waiting for a worker). When none
    runs, ``now`` jumps to the earliest wake-up and the sleepers due then are marked running
    before anyone else can move the clock again, so wake-ups happen in the order of their
    virtual deadlines, never in the order the OS schedules threads. ``now`` never passes
    ``cap``: a wake-up beyond it calls ``on_cap`` instead; when nothing can ever wake anyone,
    ``on_deadlock`` is called. Both are expected not to return (they end the run).

    The thread that creates the clock is its first participant, running.
    """

    def __init__(
        self,
        cap: float,
        on_cap: Callable[[], None],
        on_deadlock: Callable[[], None],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        process_time: Callable[[], float] = time.process_time,
    ) -> None:
        self.now = 0.0
        self.cap = cap
        self._on_cap = on_cap
        self._on_deadlock = on_deadlock
        # Real time and CPU time, to tell threads stuck outside the clock (taken before any
        # patch, as default arguments).
        self._monotonic = monotonic
        self._process_time = process_time
        self._cond = threading.Condition(threading.RLock())
        self._running = 1
        # thread ident -> (wake time or None, counted as a participant, what it waits for)
        self._sleepers: dict[int, tuple[float | None, bool, object]] = {}
        # thread ident -> the order it went to sleep in; sleepers woken together, in that order,
        # and since when (real time) the first of them has had its turn.
        self._slept_order: dict[int, int] = {}
        self._order = itertools.count()
        self._turns: collections.deque[int] = collections.deque()
        self._turn_since = 0.0
        self._changes = 0
        # Threads inside an executor work item (their state is in _running/_sleepers already).
        self.in_work: set[int] = set()
        self._local = threading.local()
        self._local.counted = True

    @property
    def lock(self) -> threading.Condition:
        """The clock's own condition: whoever holds it sees the clock's state stand still."""
        return self._cond

    @property
    def counted(self) -> bool:
        """True when this thread is a participant (its waits stop it running)."""
        return getattr(self._local, "counted", False)

    @counted.setter
    def counted(self, value: bool) -> None:
        self._local.counted = value

    def enter(self) -> None:
        """One more participant is about to run."""
        with self._cond:
            self._running += 1
            self._changed()

    def leave(self, target: object = None) -> None:
        """A participant ended; whoever waited for `target` (its thread) runs now."""
        with self._cond:
            self._pass_turn_locked(threading.get_ident())
            if target is not None:
                self._release_locked(target)
            self._running -= 1
            self._changed()
            self._advance_locked()

    def watch(
        self,
        on_stuck: Callable[[set[int]], None],
        cpu: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        every: float = 0.05,
    ) -> None:
        """Watch the participants, from a thread of its own that is not one: once some of them
        run but none used CPU (under 5 % of the time) or changed the clock's state for
        REAL_WAIT_SECONDS of real time, call on_stuck with the idents of those waiting on the
        clock (the others are the stuck ones) and return. `cpu` reads the CPU seconds to count (by
        default the process's own; the harness adds its child processes')."""
        cpu_seconds = cpu or self._process_time
        mark: Mark | None = None
        while True:
            # First sleep: most runs end before the first look, and cost the watch nothing.
            sleep(every)
            with self._cond:
                busy = self._busy() > 0
                changes = self._changes
                sleeping = set(self._sleepers)
            now, used = self._monotonic(), cpu_seconds()
            if (
                not busy
                or mark is None
                or changes != mark[0]
                or used - mark[2] >= (now - mark[1]) / 20
            ):
                mark = (changes, now, used)
            elif now - mark[1] >= REAL_WAIT_SECONDS:
                on_stuck(sleeping)
                return

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
        for after all. `interrupted` (polled) ends the wait early. When nothing can ever wake
        anyone (every participant waits, none has a wake-up time) the run ends as a deadlock;
        `grace` real seconds first if real I/O might still arrive.
        """
        me = threading.get_ident()
        with self._cond:
            self._pass_turn_locked(me)
            counted = self.counted
            if counted:
                self._running -= 1
            self._sleepers[me] = (wake, counted, target)
            self._slept_order[me] = next(self._order)
            if registered is not None and registered():
                self._wake_locked(me)
                return
            self._changed()
            self._advance_locked()
            self._wait_locked(me, interrupted, grace)

    def _wait_locked(self, me: int, interrupted: Callable[[], bool] | None, grace: float) -> None:
        """Wait until woken; move the clock past participants stuck outside it meanwhile."""
        mark = self._mark()
        hopeless_since: float | None = None
        while me in self._sleepers:
            if interrupted is not None and interrupted():
                self._wake_locked(me)
                return
            if self._changes != mark[0]:
                mark = self._mark()
            quiet, idle = self._quiet(mark)
            stuck = idle and quiet >= STUCK_SECONDS
            hopeless_since = self._deadlock_after(grace, hopeless_since, stuck)
            if idle and quiet >= STALL_SECONDS:
                self._advance_locked(force=True)
                mark = self._mark()
                if me not in self._sleepers:
                    break
            self._cond.wait(0.005 if interrupted is not None else STALL_SECONDS / 5)
        self._wait_turn_locked(me)

    def _wait_turn_locked(self, me: int) -> None:
        """Woken with others due at the same moment: go when those before me have gone."""
        while me in self._turns and self._turns[0] != me:
            waited = self._monotonic() - self._turn_since
            if waited >= TURN_SECONDS:
                self._turns.popleft()
                self._turn_since = self._monotonic()
                self._cond.notify_all()
            else:
                self._cond.wait(TURN_SECONDS - waited)

    def _pass_turn_locked(self, me: int) -> None:
        """This thread waits again or ends: the next sleeper woken with it may go."""
        if self._turns and self._turns[0] == me:
            self._turns.popleft()
            self._turn_since = self._monotonic()
            self._cond.notify_all()

    def _mark(self) -> Mark:
        return self._changes, self._monotonic(), self._process_time()

    def _quiet(self, mark: Mark) -> tuple[float, bool]:
        """Real seconds since the last change, and whether the others burnt almost no CPU
        meanwhile: then they are stuck on something the clock cannot see, so they cannot be
        what a wait is for."""
        quiet = self._monotonic() - mark[1]
        return quiet, self._process_time() - mark[2] < quiet / 20

    def _deadlock_after(self, grace: float, since: float | None, stuck: bool) -> float | None:
        """Call on_deadlock once nothing could wake anyone for `grace` real seconds; return
        since when that is so (None while someone still could)."""
        if not self._hopeless(stuck):
            return None
        since = since or self._monotonic()
        if self._monotonic() - since >= grace:
            self._on_deadlock()
        return since

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
        self._slept_order.pop(ident, None)
        if counted:
            self._running += 1
        self._changed()

    def _release_locked(self, target: object) -> None:
        for ident, (_, _, waits_for) in list(self._sleepers.items()):
            if waits_for is target:
                self._wake_locked(ident)

    def _wake_due_locked(self) -> None:
        due = sorted(
            (wake, self._slept_order.get(ident, 0), ident)
            for ident, (wake, _, _) in self._sleepers.items()
            if wake is not None and wake <= self.now
        )
        if not due:
            return
        if not self._turns:
            self._turn_since = self._monotonic()
        for _, _, ident in due:
            self._wake_locked(ident)
            self._turns.append(ident)

    def _advance_locked(self, force: bool = False) -> None:
        """Wake the sleepers due; if none runs (or force), jump to the earliest wake-up."""
        self._wake_due_locked()
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
        self._wake_due_locked()
