"""The harness's own loop (runner/inside/patch_asyncio.py) behaves as asyncio's where a program
can tell: its timer heap with cancelled timers swept out, debug mode, task factories, and the
Task the learner cancelled. Each expected output is what real CPython prints (checked against
this interpreter where the output is the same on every version)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.runner.conftest import kinds


def real_python(source: str) -> subprocess.CompletedProcess[str]:
    """Plain `python main.py` on the ordinary clock."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


BULK_CANCEL = """
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    fired = []
    timers = [loop.call_later(0.5, fired.append, n) for n in range(300)]
    for timer in timers[:250]:
        timer.cancel()
    # One loop iteration: over 100 timers, most of them cancelled, so the heap is swept.
    await asyncio.sleep(0)
    for n in range(300, 305):
        loop.call_later(0.5, fired.append, n)
    loop.call_later(0.25, fired.append, "first")
    await asyncio.sleep(1)
    print(fired == ["first", *range(250, 305)], len(fired))

asyncio.run(main())
"""


def test_timers_left_after_most_are_cancelled_fire_in_deadline_then_scheduling_order(run):
    verdict = run(BULK_CANCEL)
    assert verdict["status"] == "ok", verdict
    assert verdict["stdout"] == "True 56\n" == real_python(BULK_CANCEL).stdout
    assert verdict["virtual_seconds"] == 1.0


DEBUG_MODE = """
import asyncio
import time

async def main():
    loop = asyncio.get_running_loop()
    print(loop.get_debug())
    loop.set_debug(1)
    print(loop.get_debug())
    loop.set_debug(True)
    time.sleep(0.2)

asyncio.run(main(), debug=True)
"""


def test_debug_mode_answers_get_debug_and_warns_of_a_slow_step_as_asyncio_does(run):
    verdict = run(DEBUG_MODE)
    assert verdict["status"] == "ok", verdict
    # set_debug(1) makes get_debug() answer 1, not True: the value given, as asyncio keeps it.
    assert verdict["stdout"] == "True\n1\n" == real_python(DEBUG_MODE).stdout
    # The slow-callback warning times the step on the loop's clock (virtual here: exactly 0.2).
    assert "Executing <Task finished name='Task-1'" in verdict["stderr"]
    assert "took 0.200 seconds" in verdict["stderr"]
    assert kinds(verdict) == ["blocking_call"]


TASK_FACTORY = """
import asyncio

async def work(n):
    await asyncio.sleep(n)
    print("done", n)

async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(lambda loop, coro: asyncio.Task(coro, loop=loop))
    tasks = [asyncio.create_task(work(n)) for n in (2, 1)]
    print(all(type(task) is asyncio.Task for task in tasks))
    await asyncio.gather(*tasks)

asyncio.run(main())
"""


def test_tasks_from_a_task_factory_are_asyncios_own_and_get_their_spans(run):
    verdict = run(TASK_FACTORY)
    assert verdict["status"] == "ok", verdict
    assert verdict["stdout"] == "True\ndone 1\ndone 2\n" == real_python(TASK_FACTORY).stdout
    assert verdict["task_count"] == 3
    # (Names left out: 3.13.0's create_task names a factory's task "None", and so does the runner.)
    spans = [(t["coro"], t["started"], t["finished"], t["result"]) for t in verdict["tasks"]]
    assert spans == [("main", 0.0, 2.0, "ok"), ("work", 0.0, 2.0, "ok"), ("work", 0.0, 1.0, "ok")]


CANCELLED = """
import asyncio

async def work():
    await asyncio.sleep(5)

async def main():
    awaited = asyncio.create_task(work())
    dropped = asyncio.create_task(work())
    await asyncio.sleep(0)
    awaited.cancel()
    dropped.cancel()
    print(type(awaited).__name__, isinstance(awaited, asyncio.Task), repr(awaited)[:16])
    try:
        await awaited
    except asyncio.CancelledError:
        print("cancelled", awaited.cancelled())
    await asyncio.sleep(0)

asyncio.run(main())
"""


def test_a_cancelled_task_still_looks_like_asyncios_and_only_the_one_never_awaited_is_named(run):
    verdict = run(CANCELLED)
    assert verdict["status"] == "ok", verdict
    assert (
        verdict["stdout"]
        == "Task True <Task cancelling\ncancelled True\n"
        == real_python(CANCELLED).stdout
    )
    events = [(e["kind"], e["line"], e.get("task")) for e in verdict["events"]]
    assert events == [("cancelled_not_awaited", 12, "Task-3")]


SLEEP_HELPER_ON_A_DONE_FUTURE = """
import asyncio
import asyncio.futures

async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    done.set_result("early")
    loop.call_later(1, asyncio.futures._set_result_unless_cancelled, done, "late")
    print(await asyncio.sleep(2, "slept"), done.result())

asyncio.run(main())
"""


def test_the_helper_ending_a_sleep_fails_on_a_done_future_as_in_asyncio(run):
    # The loop runs asyncio.sleep's timers without Handle._run; any other use of the same
    # helper still goes through it, and its error is logged as asyncio logs it.
    verdict = run(SLEEP_HELPER_ON_A_DONE_FUTURE)
    real = real_python(SLEEP_HELPER_ON_A_DONE_FUTURE)
    assert verdict["status"] == "ok", verdict
    assert verdict["stdout"] == "slept early\n" == real.stdout
    for text in (
        "Exception in callback _set_result_unless_cancelled(",
        "in _run\n    self._context.run(self._callback, *self._args)\n",
        "in _set_result_unless_cancelled\n    fut.set_result(result)\n",
        "asyncio.exceptions.InvalidStateError: invalid state",
    ):
        assert text in verdict["stderr"]
        assert text in real.stderr
