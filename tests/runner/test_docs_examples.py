"""Examples from the Python docs page "Coroutines and Tasks", run on the virtual clock."""

from __future__ import annotations


def test_hello_world_takes_one_second(run):
    verdict = run(
        """
        import asyncio

        async def main():
            print('hello')
            await asyncio.sleep(1)
            print('world')

        asyncio.run(main())
        """
    )
    assert (verdict["status"], verdict["stdout"], verdict["virtual_seconds"]) == (
        "ok",
        "hello\nworld\n",
        1.0,
    )


SAY_AFTER = """
import asyncio
import time

async def say_after(delay, what):
    await asyncio.sleep(delay)
    print(what)

async def main():
    print(f"started at {time.strftime('%X')}")
{body}
    print(f"finished at {time.strftime('%X')}")

asyncio.run(main())
"""


def test_awaiting_coroutines_one_after_another_takes_three_seconds(run):
    body = "    await say_after(1, 'hello')\n    await say_after(2, 'world')"
    verdict = run(SAY_AFTER.replace("{body}", body))
    assert verdict["stdout"] == "started at 12:00:00\nhello\nworld\nfinished at 12:00:03\n"
    assert verdict["virtual_seconds"] == 3.0
    assert verdict["concurrency"] == 1


def test_two_tasks_take_two_seconds(run):
    body = (
        "    task1 = asyncio.create_task(say_after(1, 'hello'))\n"
        "    task2 = asyncio.create_task(say_after(2, 'world'))\n"
        "    await task1\n"
        "    await task2"
    )
    verdict = run(SAY_AFTER.replace("{body}", body))
    assert verdict["stdout"] == "started at 12:00:00\nhello\nworld\nfinished at 12:00:02\n"
    assert verdict["virtual_seconds"] == 2.0
    assert verdict["concurrency"] == 2


def test_a_task_group_takes_two_seconds(run):
    body = (
        "    async with asyncio.TaskGroup() as tg:\n"
        "        task1 = tg.create_task(say_after(1, 'hello'))\n"
        "        task2 = tg.create_task(say_after(2, 'world'))\n"
        "    print(f'Both tasks have completed now: {task1.result()}, {task2.result()}')"
    )
    verdict = run(SAY_AFTER.replace("{body}", body))
    assert verdict["stdout"] == (
        "started at 12:00:00\nhello\nworld\n"
        "Both tasks have completed now: None, None\nfinished at 12:00:02\n"
    )
    assert verdict["virtual_seconds"] == 2.0
    assert verdict["concurrency"] == 2


def test_gather_runs_the_factorials_concurrently(run):
    verdict = run(
        """
        import asyncio

        async def factorial(name, number):
            f = 1
            for i in range(2, number + 1):
                print(f"Task {name}: Compute factorial({number}), currently i={i}...")
                await asyncio.sleep(1)
                f *= i
            print(f"Task {name}: factorial({number}) = {f}")
            return f

        async def main():
            L = await asyncio.gather(
                factorial("A", 2),
                factorial("B", 3),
                factorial("C", 4),
            )
            print(L)

        asyncio.run(main())
        """
    )
    assert verdict["stdout"].splitlines() == [
        "Task A: Compute factorial(2), currently i=2...",
        "Task B: Compute factorial(3), currently i=2...",
        "Task C: Compute factorial(4), currently i=2...",
        "Task A: factorial(2) = 2",
        "Task B: Compute factorial(3), currently i=3...",
        "Task C: Compute factorial(4), currently i=3...",
        "Task B: factorial(3) = 6",
        "Task C: Compute factorial(4), currently i=4...",
        "Task C: factorial(4) = 24",
        "[2, 6, 24]",
    ]
    assert verdict["virtual_seconds"] == 3.0
    assert verdict["concurrency"] == 3


def test_wait_for_times_out_after_one_second(run):
    verdict = run(
        """
        import asyncio

        async def eternity():
            await asyncio.sleep(3600)
            print('yay!')

        async def main():
            try:
                await asyncio.wait_for(eternity(), timeout=1.0)
            except TimeoutError:
                print('timeout!')

        asyncio.run(main())
        """
    )
    assert (verdict["status"], verdict["stdout"], verdict["virtual_seconds"]) == (
        "ok",
        "timeout!\n",
        1.0,
    )


def test_asyncio_timeout_cancels_a_long_operation(run):
    verdict = run(
        """
        import asyncio

        async def long_running_task():
            await asyncio.sleep(3600)

        async def main():
            try:
                async with asyncio.timeout(10):
                    await long_running_task()
            except TimeoutError:
                print("The long operation timed out, but we've handled it.")
            print("This statement will run regardless.")

        asyncio.run(main())
        """
    )
    assert verdict["stdout"].splitlines() == [
        "The long operation timed out, but we've handled it.",
        "This statement will run regardless.",
    ]
    assert verdict["virtual_seconds"] == 10.0


def test_to_thread_sleeps_in_a_worker_while_the_loop_runs(run):
    verdict = run(
        """
        import asyncio
        import time

        def blocking_io():
            print(f"start blocking_io at {time.strftime('%X')}")
            time.sleep(1)
            print(f"blocking_io complete at {time.strftime('%X')}")

        async def main():
            print(f"started main at {time.strftime('%X')}")
            await asyncio.gather(
                asyncio.to_thread(blocking_io),
                asyncio.sleep(1))
            print(f"finished main at {time.strftime('%X')}")

        asyncio.run(main())
        """
    )
    assert verdict["stdout"].splitlines() == [
        "started main at 12:00:00",
        "start blocking_io at 12:00:00",
        "blocking_io complete at 12:00:01",
        "finished main at 12:00:01",
    ]
    assert verdict["virtual_seconds"] == 1.0
    assert verdict["events"] == []


def test_display_date_prints_five_dates_a_second_apart(run):
    verdict = run(
        """
        import asyncio
        import datetime

        async def display_date():
            loop = asyncio.get_running_loop()
            end_time = loop.time() + 5.0
            while True:
                print(datetime.datetime.now())
                if (loop.time() + 1.0) >= end_time:
                    break
                await asyncio.sleep(1)

        asyncio.run(display_date())
        """
    )
    assert verdict["stdout"].splitlines() == [f"2024-01-01 12:00:0{n}" for n in range(5)]
    assert verdict["virtual_seconds"] == 4.0
