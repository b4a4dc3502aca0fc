"""Spans are kept for the first tasks only; every task is counted."""

from __future__ import annotations


def test_spans_stop_at_one_hundred_and_the_count_goes_on(run) -> None:
    verdict = run(
        """\
        import asyncio

        async def worker(n):
            await asyncio.sleep(1)

        async def main():
            await asyncio.gather(*(asyncio.create_task(worker(n)) for n in range(150)))

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "ok", verdict["stderr"]
    assert verdict["task_count"] == 151  # main and its 150 workers
    assert len(verdict["tasks"]) == 100
    assert all(span["result"] == "ok" and span["finished"] == 1.0 for span in verdict["tasks"])


def test_a_few_tasks_all_have_spans_that_end(run) -> None:
    verdict = run(
        """\
        import asyncio

        async def fail():
            raise ValueError

        async def main():
            task = asyncio.create_task(asyncio.sleep(2))
            failing = asyncio.create_task(fail())
            await asyncio.sleep(1)
            task.cancel()
            await asyncio.gather(task, failing, return_exceptions=True)

        asyncio.run(main())
        """
    )
    assert verdict["task_count"] == 3
    results = [(span["coro"], span["result"], span["finished"]) for span in verdict["tasks"]]
    assert results == [("main", "ok", 1.0), ("sleep", "cancelled", 1.0), ("fail", "error", 0.0)]
