"""Fair slots: free slots go round-robin to waiting owners, none holding more than its share."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from runner import Limits, Runner
from runner.fair import FairGate
from runner.launchers import Outcome


def wait_in_line(
    gate: FairGate, owner: str, served: list[str], count: int
) -> list[threading.Thread]:
    """count threads of owner, each taking a slot in turn and noting that it was served."""
    threads = []
    for _ in range(count):
        queued = threading.Event()

        def take(queued: threading.Event = queued) -> None:
            queued.set()
            with gate.slot(owner):
                served.append(owner)

        thread = threading.Thread(target=take)
        thread.start()
        queued.wait()
        threads.append(thread)
    return threads


def until_queued(gate: FairGate, waiting: int) -> None:
    while sum(len(queue) for queue in gate._waiting.values()) < waiting:
        threading.Event().wait(0.001)


def test_waiting_owners_are_served_in_turn():
    gate = FairGate(capacity=1)
    served: list[str] = []
    with gate.slot("holder"):
        threads = wait_in_line(gate, "flood", served, 4)
        until_queued(gate, 4)
        threads += wait_in_line(gate, "other", served, 2)
        until_queued(gate, 6)
    for thread in threads:
        thread.join()
    assert served == ["flood", "other", "flood", "other", "flood", "flood"]


def test_one_owner_never_holds_every_slot_while_another_waits():
    gate = FairGate(capacity=2)
    assert gate.per_owner == 1
    with ExitStack() as stack:
        stack.enter_context(gate.slot("flood"))
        served: list[str] = []
        flood = wait_in_line(gate, "flood", served, 1)
        until_queued(gate, 1)
        # The flood's second run waits although a slot is free: it is kept for others.
        assert gate.holding("flood") == 1 and served == []
        [other] = wait_in_line(gate, "other", served, 1)
        other.join()
        assert served == ["other"]
    flood[0].join()
    assert served == ["other", "flood"]


def test_runs_nobody_owns_may_use_every_slot():
    gate = FairGate(capacity=3)
    with gate.slot(None), gate.slot(None), gate.slot(None):
        assert gate.holding(None) == 3


class HeldLauncher:
    """Runs nothing: each launch waits until the test lets it go, then reports no report."""

    name = "held"
    slots = 2

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started: list[bytes] = []

    def launch(self, request: bytes, limits: Limits) -> Outcome:
        self.started.append(request)
        if b"flood" in request:
            self.release.wait()
        return Outcome(b"", b"", b"", 0, 0.0)

    def close(self) -> None:
        self.release.set()


def test_a_runner_serves_another_owner_while_one_floods_it():
    launcher = HeldLauncher()
    with Runner(launcher=launcher) as runner, ThreadPoolExecutor(max_workers=4) as pool:
        flood = [pool.submit(runner.run, "# flood", owner="flooder") for _ in range(4)]
        until_queued(runner.gate, 3)
        verdict = runner.run("print('hi')", owner="learner")
        # Served while the whole flood still waits: one flood run holds a slot, three queue.
        assert [run.done() for run in flood] == [False] * 4
        assert len(launcher.started) == 2
        launcher.release.set()
    assert verdict["status"] == "error"  # no report from a launcher that runs nothing
    assert all(run.result()["status"] == "error" for run in flood)
