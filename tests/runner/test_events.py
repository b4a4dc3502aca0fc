"""Each event the harness reports, with the learner's line, and the clock the snippet reads."""

from __future__ import annotations

from runner.messages import english
from tests.runner.conftest import kinds


def test_time_sleep_in_a_task_is_a_blocking_call_at_its_line(run):
    verdict = run(
        """
        import asyncio, time

        async def worker():
            time.sleep(2)
            await asyncio.sleep(1)

        async def main():
            await asyncio.gather(worker(), asyncio.sleep(0.5))

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "ok"
    [event] = verdict["events"]
    assert (event["kind"], event["line"], event["task"], event["seconds"]) == (
        "blocking_call",
        5,
        "Task-2",
        2.0,
    )
    assert "blocked the event loop for 2.0 s at line 5" in english(event["message"])
    assert event["message"]["params"]["where"] == {"code": "at_line", "params": {"line": 5}}
    # The other task's 0.5 s sleep could not end before the loop was free again at 2.0.
    assert verdict["virtual_seconds"] == 3.0
    worker = next(task for task in verdict["tasks"] if task["coro"] == "worker")
    assert worker["blocked"] == [[0.0, 2.0]]


def test_from_time_import_sleep_is_caught_too(run):
    verdict = run(
        """
        import asyncio
        from time import sleep as nap

        async def main():
            nap(0.5)

        asyncio.run(main())
        """
    )
    assert [(e["kind"], e["line"]) for e in verdict["events"]] == [("blocking_call", 6)]


def test_a_long_cpu_step_is_a_cpu_hog_at_its_line(run):
    verdict = run(
        """
        import asyncio

        async def crunch():
            total = 0
            for i in range(6_000_000):
                total += i
            await asyncio.sleep(1)

        asyncio.run(crunch())
        """
    )
    [event] = verdict["events"]
    assert event["kind"] == "cpu_hog"
    assert event["line"] in (6, 7)  # the loop header or its body, sampled
    assert event["seconds"] >= 0.1
    assert "held the event loop" in english(event["message"])
    assert verdict["virtual_seconds"] == 1.0


def test_light_work_is_no_cpu_hog(run):
    verdict = run(
        """
        import asyncio

        async def main():
            print(sum(range(1000)))
            await asyncio.sleep(1)

        asyncio.run(main())
        """
    )
    assert verdict["events"] == []


def test_waiting_on_what_nobody_sets_is_a_deadlock_at_each_line(run):
    verdict = run(
        """
        import asyncio

        async def consumer(queue):
            item = await queue.get()
            print(item)

        async def main():
            queue = asyncio.Queue()
            done = asyncio.Event()
            asyncio.create_task(consumer(queue))
            await done.wait()
            print("never")

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "deadlock"
    assert verdict["stdout"] == ""
    assert [(e["kind"], e["line"], e["task"]) for e in verdict["events"]] == [
        ("deadlock", 12, "Task-1"),
        ("deadlock", 5, "Task-2"),
    ]
    assert "Event.wait" in english(verdict["events"][0]["message"])
    # Found at once, not at the wall-clock limit (this includes starting the process).
    assert verdict["wall_seconds"] < 1.0


def test_a_future_nobody_resolves_is_a_deadlock(run):
    verdict = run(
        """
        import asyncio

        async def main():
            future = asyncio.get_running_loop().create_future()
            await future

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "deadlock"
    assert [(e["kind"], e["line"]) for e in verdict["events"]] == [("deadlock", 6)]


def test_a_coroutine_never_awaited_is_reported_at_its_line(run):
    verdict = run(
        """
        import asyncio

        async def greet():
            print("hi")

        async def main():
            greet()
            await asyncio.sleep(1)

        asyncio.run(main())
        """
    )
    assert verdict["stdout"] == ""
    assert [(e["kind"], e["line"]) for e in verdict["events"]] == [("never_awaited", 8)]
    assert "greet" in english(verdict["events"][0]["message"])
    assert "main.py:8: RuntimeWarning: coroutine 'greet' was never awaited" in verdict["stderr"]


def test_a_failed_task_nobody_looks_at_is_an_unretrieved_exception(run):
    verdict = run(
        """
        import asyncio

        async def boom():
            raise ValueError("bad")

        async def main():
            asyncio.create_task(boom())
            await asyncio.sleep(1)

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "ok"
    [event] = verdict["events"]
    assert (event["kind"], event["line"], event["task"]) == ("unretrieved_exception", 5, "Task-2")
    assert "ValueError" in english(event["message"])
    boom = verdict["tasks"][1]
    assert (boom["result"], boom["exception"]) == ("error", "ValueError")


def test_a_loop_that_never_ends_stops_at_the_virtual_time_cap(run):
    verdict = run(
        """
        import asyncio

        async def main():
            while True:
                await asyncio.sleep(1)

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "virtual_timeout"
    assert verdict["virtual_seconds"] == 600.0
    assert [(e["kind"], e["line"]) for e in verdict["events"]] == [("virtual_timeout", 6)]
    assert verdict["wall_seconds"] < 2.0


def test_printed_times_differ_by_exactly_the_virtual_durations(run):
    verdict = run(
        """
        import asyncio, datetime, time

        async def main():
            print(time.time(), time.monotonic(), time.perf_counter())
            print(datetime.datetime.now(), time.ctime())
            await asyncio.sleep(2.5)
            print(time.time(), time.monotonic(), time.perf_counter())
            print(datetime.datetime.now(), time.ctime())
            print(time.monotonic_ns(), datetime.date.today())

        asyncio.run(main())
        """
    )
    assert verdict["stdout"].splitlines() == [
        "1704110400.0 0.0 0.0",
        "2024-01-01 12:00:00 Mon Jan  1 12:00:00 2024",
        "1704110402.5 2.5 2.5",
        "2024-01-01 12:00:02.500000 Mon Jan  1 12:00:02 2024",
        "2500000000 2024-01-01",
    ]


def test_three_threads_sleeping_one_second_take_one_second(run):
    verdict = run(
        """
        import asyncio, time

        async def main():
            await asyncio.gather(*(asyncio.to_thread(time.sleep, 1) for _ in range(3)))
            print(time.monotonic())

        asyncio.run(main())
        """
    )
    assert (verdict["status"], verdict["stdout"], verdict["events"]) == ("ok", "1.0\n", [])
    assert verdict["virtual_seconds"] == 1.0


def test_run_in_executor_and_threads_without_a_loop_share_the_clock(run):
    verdict = run(
        """
        import threading, time
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor() as pool:
            print(pool.submit(time.sleep, 2).result(), time.monotonic())
            pool.map(time.sleep, [1, 3])
        print(time.monotonic())
        thread = threading.Thread(target=time.sleep, args=(5,))
        thread.start()
        thread.join()
        print(time.monotonic())
        """
    )
    assert verdict["stdout"].splitlines() == ["None 2.0", "5.0", "10.0"]


def test_run_forever_until_stop_uses_the_virtual_loop(run):
    verdict = run(
        """
        import asyncio

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.call_later(2, loop.stop)
        loop.run_forever()
        print(loop.time())
        loop.close()
        """
    )
    assert (verdict["status"], verdict["stdout"], verdict["virtual_seconds"]) == (
        "ok",
        "2.0\n",
        2.0,
    )


def test_real_time_runs_on_the_ordinary_clock(run):
    verdict = run(
        """
        import asyncio, time

        async def main():
            time.sleep(0.1)
            await asyncio.sleep(0.2)

        asyncio.run(main())
        """,
        real_time=True,
    )
    assert verdict["real_time"] is True
    assert 0.3 <= verdict["virtual_seconds"] < 1.5
    assert verdict["wall_seconds"] >= 0.3
    assert kinds(verdict) == ["blocking_call"]


def test_an_uncaught_exception_is_an_error_with_its_type_and_line(run):
    verdict = run(
        """
        import asyncio

        async def main():
            await asyncio.sleep(1)
            raise KeyError("missing")

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "error"
    assert verdict["exit_code"] == 1
    assert verdict["exception"] == {"type": "KeyError", "message": "'missing'", "line": 6}
    assert 'File "main.py", line 6, in main' in verdict["stderr"]
    assert verdict["virtual_seconds"] == 1.0


def test_the_same_snippet_gives_the_same_verdict_every_time(run):
    source = """
        import asyncio, random

        async def worker(name, delay):
            await asyncio.sleep(delay)
            print(name, random.random(), hash("x") % 1000)

        async def main():
            await asyncio.gather(*(worker(n, (7 * n) % 5 / 4) for n in range(6)))

        asyncio.run(main())
        """
    first, second = run(source), run(source)
    for key in ("status", "stdout", "virtual_seconds", "events", "tasks"):
        assert first[key] == second[key]


def test_waiting_in_the_loop_thread_for_work_only_the_loop_can_do_is_a_deadlock(run):
    verdict = run(
        """
        import asyncio

        async def main():
            loop = asyncio.get_running_loop()
            future = asyncio.run_coroutine_threadsafe(asyncio.sleep(1), loop)
            future.result()

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "deadlock"
    assert [(e["kind"], e["line"]) for e in verdict["events"]] == [("deadlock", 7)]


def test_threads_waiting_for_each_other_are_a_deadlock_at_each_line(run):
    verdict = run(
        """
        import threading

        ready = threading.Event()

        def worker():
            ready.wait()

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        """
    )
    assert verdict["status"] == "deadlock"
    assert [(e["kind"], e["line"]) for e in verdict["events"]] == [
        ("deadlock", 11),
        ("deadlock", 7),
    ]
    assert english(verdict["events"][0]["message"]).startswith("Thread MainThread waits forever")


def test_threading_waits_and_queues_run_on_the_virtual_clock(run):
    verdict = run(
        """
        import queue, threading, time

        print(threading.Event().wait(2), time.monotonic())
        timer = threading.Timer(1.5, lambda: print("timer", time.monotonic()))
        timer.start()
        timer.join()
        jobs = queue.Queue()

        def producer():
            for n in range(3):
                time.sleep(1)
                jobs.put(n)

        threading.Thread(target=producer).start()
        print([jobs.get() for _ in range(3)], time.monotonic())
        try:
            jobs.get(timeout=0.5)
        except queue.Empty:
            print("empty", time.monotonic())
        """
    )
    assert verdict["stdout"].splitlines() == [
        "False 2.0",
        "timer 3.5",
        "[0, 1, 2] 6.5",
        "empty 7.0",
    ]
    # No thread handoff waits in real time.
    assert verdict["wall_seconds"] < 1.0


def test_a_threading_wait_in_a_coroutine_is_a_blocking_call_too(run):
    verdict = run(
        """
        import asyncio, queue, threading, time

        jobs = queue.Queue()

        def producer():
            time.sleep(1)
            jobs.put("job")

        async def main():
            threading.Thread(target=producer).start()
            print(jobs.get(), time.monotonic())

        asyncio.run(main())
        """
    )
    assert verdict["stdout"] == "job 1.0\n"
    [event] = verdict["events"]
    assert (event["kind"], event["line"], event["seconds"]) == ("blocking_call", 12, 1.0)
    assert english(event["message"]).startswith("Queue.get() blocked the event loop for 1.0 s")


def test_work_queued_behind_busy_workers_waits_its_turn_without_stalling(run):
    verdict = run(
        """
        import time
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            list(pool.map(time.sleep, [1, 1, 1, 1, 1]))
        print(time.monotonic())
        """
    )
    assert verdict["stdout"] == "5.0\n"
    # Not 4 x 0.25 s of waiting for a queued item that could not run anyway.
    assert verdict["wall_seconds"] < 0.9


def test_two_tasks_taking_two_locks_in_opposite_order_deadlock(run):
    verdict = run(
        """
        import asyncio

        async def worker(first, second):
            async with first:
                await asyncio.sleep(0.1)
                async with second:
                    print("got both")

        async def main():
            a, b = asyncio.Lock(), asyncio.Lock()
            await asyncio.gather(worker(a, b), worker(b, a))

        asyncio.run(main())
        """
    )
    assert (verdict["status"], verdict["virtual_seconds"]) == ("deadlock", 0.1)
    assert [(e["line"], e["task"]) for e in verdict["events"]] == [(7, "Task-2"), (7, "Task-3")]
    assert "(Lock.acquire)" in english(verdict["events"][0]["message"])


def test_the_virtual_datetime_still_behaves_like_datetime(run):
    verdict = run(
        """
        import _datetime, datetime, pickle

        now = datetime.datetime.now()
        print(repr(now), now - datetime.timedelta(hours=1))
        print(isinstance(_datetime.datetime(2020, 1, 1), datetime.datetime))
        print(pickle.loads(pickle.dumps(now)) == now)
        """
    )
    assert verdict["stdout"].splitlines() == [
        "datetime.datetime(2024, 1, 1, 12, 0) 2024-01-01 11:00:00",
        "True",
        "True",
    ]
