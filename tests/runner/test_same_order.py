"""Timers due at the same moment run in the order they were scheduled, as in CPython.

In CPython the clock moves between two `call_later` calls, so N tasks that each sleep the same
time wake in the order they went to sleep. On the virtual clock their deadlines are equal; the
runner breaks the tie by scheduling order. Each program runs in the runner (1 s sleeps) and in
every real CPython found here (the same program with 10 ms sleeps; 1 s where deadlines differ,
so real-time jitter cannot reorder them), and must print the same.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner import Runner
from tests.conformance.cpython import interpreters, run_real, runner_options

GATHER = """\
import asyncio

async def worker(n):
    await asyncio.sleep(DELAY)
    print(n)

async def main():
    await asyncio.gather(*(worker(n) for n in range(N)))

asyncio.run(main())
"""

TASK_GROUP = """\
import asyncio

async def worker(n):
    await asyncio.sleep(DELAY)
    print(n)

async def main():
    async with asyncio.TaskGroup() as group:
        for n in range(N):
            group.create_task(worker(n))

asyncio.run(main())
"""

CALL_LATER = """\
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    left = [N]

    def fire(n):
        print(n)
        left[0] -= 1
        if not left[0]:
            done.set_result(None)

    for n in range(N):
        loop.call_later(DELAY, fire, n)
    await done

asyncio.run(main())
"""

# Created in one order, woken in another: timers whose deadlines differ still go by deadline.
STAGGERED = """\
import asyncio

async def worker(n, delay):
    await asyncio.sleep(delay)
    print(n)

async def main():
    await asyncio.gather(*(worker(n, DELAY * (2 - n % 2)) for n in range(N)))

asyncio.run(main())
"""

THREADS = """\
import threading
import time

def worker(n):
    time.sleep(DELAY)
    print(n)

threads = [threading.Thread(target=worker, args=(n,)) for n in range(N)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""

PROGRAMS = {
    "gather": GATHER,
    "task_group": TASK_GROUP,
    "call_later": CALL_LATER,
    "staggered": STAGGERED,
}


def program(template: str, count: int, delay: str) -> str:
    return template.replace("DELAY", delay).replace("N)", f"{count})").replace("[N]", f"[{count}]")


@pytest.fixture(scope="module")
def runners() -> Iterator[dict[str, Runner]]:
    """A runner per interpreter where Runner can choose one, else the same runner for all."""
    made: dict[tuple[tuple[str, str], ...], Runner] = {}
    chosen = {}
    for interpreter in interpreters():
        options = runner_options(interpreter)
        key = tuple(sorted(options.items()))
        if key not in made:
            made[key] = Runner(**options)
        chosen[interpreter.version] = made[key]
    yield chosen
    for runner in made.values():
        runner.close()


@pytest.mark.parametrize("count", [8, 100, 1000])
@pytest.mark.parametrize("shape", sorted(PROGRAMS))
def test_equal_deadlines_fire_in_scheduling_order_as_in_cpython(
    shape: str, count: int, runners: dict[str, Runner]
) -> None:
    template = PROGRAMS[shape]
    # Staggered deadlines must stay apart in real time while 1,000 tasks start on a busy machine.
    real_source = program(template, count, "1" if shape == "staggered" else "0.01")
    for interpreter in interpreters():
        (real,) = run_real(interpreter.path, [real_source], processes=1)
        verdict = runners[interpreter.version].run(program(template, count, "1"))
        assert verdict["status"] == "ok", verdict["stderr"]
        printed = [int(n) for n in verdict["stdout"].split()]
        if shape == "staggered":
            expected = [n for n in range(count) if n % 2] + [n for n in range(count) if not n % 2]
        else:
            expected = list(range(count))
        assert printed == expected
        assert verdict["stdout"] == real["stdout"], interpreter.version


def test_threads_sleeping_the_same_time_wake_in_the_order_they_slept(run) -> None:
    verdict = run(program(THREADS, 8, "1"))
    assert verdict["status"] == "ok", verdict["stderr"]
    assert verdict["stdout"].split() == [str(n) for n in range(8)]
    assert verdict["virtual_seconds"] == 1.0


def test_to_thread_sleepers_finish_in_the_order_they_were_handed_over(run) -> None:
    verdict = run(
        """\
        import asyncio
        import time

        def nap(n):
            time.sleep(1)
            print(n)

        async def main():
            await asyncio.gather(*(asyncio.to_thread(nap, n) for n in range(4)))

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "ok", verdict["stderr"]
    assert verdict["stdout"].split() == ["0", "1", "2", "3"]
    assert verdict["virtual_seconds"] == 1.0
