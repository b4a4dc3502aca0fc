"""The virtual clock alone: no sandbox, no subprocess, no event loop, nothing patched."""

from __future__ import annotations

import threading
import time

import pytest

from runner.inside.clock import REAL_WAIT_SECONDS, STALL_SECONDS, VirtualClock


class Capped(Exception):
    pass


class Deadlocked(Exception):
    pass


def capped() -> None:
    raise Capped


def deadlocked() -> None:
    raise Deadlocked


def clock(cap: float = 600.0) -> VirtualClock:
    return VirtualClock(cap, capped, deadlocked)


def participant(clock: VirtualClock, body: object, results: list[object]) -> threading.Thread:
    """A thread that takes part in the clock, as the harness's Thread.start makes one."""

    def run() -> None:
        clock.counted = True
        try:
            results.append(body())  # type: ignore[operator]
        finally:
            clock.leave(target=thread)

    thread = threading.Thread(target=run)
    clock.enter()
    thread.start()
    return thread


def test_a_lone_sleeper_makes_the_clock_jump_at_once():
    c = clock()
    started = time.monotonic()
    c.block(3.0)
    assert c.now == 3.0
    assert time.monotonic() - started < 0.2


def test_wake_ups_follow_virtual_deadlines_not_thread_scheduling():
    c = clock()
    seen: list[object] = []

    def sleeper(wake: float) -> object:
        c.block(wake)
        return (wake, c.now)

    threads = [participant(c, lambda w=w: sleeper(w), seen) for w in (3.0, 1.0, 2.0)]
    c.block(10.0)
    for thread in threads:
        thread.join()
    assert seen == [(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]
    assert c.now == 10.0


def test_the_clock_does_not_move_while_someone_runs():
    c = clock()
    seen: list[object] = []
    go = threading.Event()

    def worker() -> object:
        go.wait()  # real work, outside the clock, burning no virtual time
        return c.now

    thread = participant(c, worker, seen)
    # The worker runs (it is counted), so the clock may not jump to 1.0 yet...
    waiter = threading.Thread(target=lambda: c.block(1.0))
    waiter.start()
    time.sleep(0.05)
    assert c.now == 0.0
    go.set()
    thread.join()
    waiter.join()
    assert seen == [0.0]
    assert c.now == 1.0


def test_a_participant_stuck_outside_the_clock_is_passed_after_a_while():
    c = clock()
    stuck = threading.Event()
    thread = participant(c, stuck.wait, [])
    started = time.monotonic()
    c.block(1.0)
    assert c.now == 1.0
    assert time.monotonic() - started >= STALL_SECONDS
    stuck.set()
    thread.join()


def test_release_wakes_whoever_waits_for_the_target():
    c = clock()
    target = object()
    seen: list[object] = []

    def waiter() -> object:
        c.block(None, target=target)
        return c.now

    thread = participant(c, waiter, seen)
    c.block(5.0)
    c.release(target)
    thread.join()
    assert seen == [5.0]


def test_a_wait_already_satisfied_when_registered_does_not_wait():
    c = clock()
    c.block(None, registered=lambda: True)
    assert c.now == 0.0


def test_the_clock_stops_at_its_cap():
    c = clock(cap=2.0)
    with pytest.raises(Capped):
        c.block(3.0)
    assert c.now == 2.0


def test_a_wait_nothing_can_end_is_a_deadlock():
    c = clock()
    started = time.monotonic()
    with pytest.raises(Deadlocked):
        c.block(None, target=object())
    assert time.monotonic() - started < 0.5
    assert c.now == 0.0


def test_interrupted_ends_a_wait_early():
    c = clock()
    c.block(None, target=object(), interrupted=lambda: True, grace=10.0)
    assert c.now == 0.0


class FakeTime:
    """Real time and CPU time under the test's control: sleeping moves real time only."""

    def __init__(self, cpu_share: float) -> None:
        self.now = 0.0
        self.cpu = 0.0
        self.cpu_share = cpu_share

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.cpu += seconds * self.cpu_share


def test_watch_calls_a_participant_stuck_without_cpu_after_a_real_second() -> None:
    fake = FakeTime(cpu_share=0.0)
    c = VirtualClock(600.0, capped, deadlocked, monotonic=lambda: fake.now)
    stuck: list[set[int]] = []
    c.watch(stuck.append, cpu=lambda: fake.cpu, sleep=fake.sleep)
    assert stuck == [set()]
    assert REAL_WAIT_SECONDS <= fake.now < REAL_WAIT_SECONDS + 0.1


def test_watch_leaves_a_participant_that_uses_cpu_alone() -> None:
    fake = FakeTime(cpu_share=0.5)
    c = VirtualClock(600.0, capped, deadlocked, monotonic=lambda: fake.now)

    def sleep(seconds: float) -> None:
        fake.sleep(seconds)
        if fake.now > 10 * REAL_WAIT_SECONDS:
            raise Capped  # long past the limit, and never called stuck

    with pytest.raises(Capped):
        c.watch(pytest.fail, cpu=lambda: fake.cpu, sleep=sleep)


def test_watch_ignores_a_run_where_every_participant_waits_on_the_clock() -> None:
    fake = FakeTime(cpu_share=0.0)
    c = VirtualClock(600.0, capped, deadlocked, monotonic=lambda: fake.now)
    c._running = 0  # the only participant sleeps on the clock: the clock judges that wait

    def sleep(seconds: float) -> None:
        fake.sleep(seconds)
        if fake.now > 10 * REAL_WAIT_SECONDS:
            raise Capped

    with pytest.raises(Capped):
        c.watch(pytest.fail, cpu=lambda: fake.cpu, sleep=sleep)
