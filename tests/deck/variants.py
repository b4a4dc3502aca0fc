"""Other people's solutions to the asyncio deck's code cards, written as edits of the reference.

WRONG holds plausible mistakes (the kinds the deck review found slipping through: the right shape
without its timing, a blocking call, fire-and-forget plus a long sleep, decorative constructs,
skipping a cancel's await or a loop's close, a bare except, changing what must not change) and
the check each must fail. RIGHT holds correct but unusual solutions that must pass every check.
Each edit is (old, new): `old` must occur exactly once in the card's reference solution.
"""

from __future__ import annotations

from typing import NamedTuple

Edit = tuple[str, str]


class Variant(NamedTuple):
    card: str
    why: str
    edits: list[Edit]
    fails: str | None = None  # the check a wrong variant must fail; None for a right one


WRONG: list[Variant] = [
    Variant(
        "thread-for-blocking-call",
        "awaits the two to_thread calls one after the other",
        [
            (
                'readings = await asyncio.gather(read("kitchen"), read("garage"))',
                'readings = [await read("kitchen"), await read("garage")]',
            )
        ],
        "virtual_seconds",
    ),
    Variant(
        "thread-for-blocking-call",
        "changes the function it may not change: an async sleep instead of time.sleep",
        [
            (
                "def read_sensor(name):\n    time.sleep(1)",
                "async def read_sensor(name):\n    await asyncio.sleep(1)",
            ),
            ("return await asyncio.to_thread(read_sensor, name)", "return await read_sensor(name)"),
        ],
        "syntax",
    ),
    Variant(
        "thread-for-blocking-call",
        "calls the blocking function in the coroutine",
        [("return await asyncio.to_thread(read_sensor, name)", "return read_sensor(name)")],
        "no_blocking",
    ),
    Variant(
        "fix-first-program",
        "makes the program that must stay synchronous async",
        [
            ("import time\n", "import asyncio\nimport time\n"),
            (
                "def main():\n    fun1(4)\n    fun2(4)",
                "async def main():\n    fun1(4)\n    fun2(4)",
            ),
            ("\nmain()\n", "\nasyncio.run(main())\n"),
        ],
        "must_not_use",
    ),
    Variant(
        "fix-first-program",
        "drops the second sleep",
        [("    print(x**0.5)\n    time.sleep(3)\n", "    print(x**0.5)\n")],
        "virtual_seconds",
    ),
    Variant(
        "await-the-coroutine",
        "fires a task and sleeps long enough to outlive it",
        [
            (
                '    await save("order-1")\n',
                '    asyncio.create_task(save("order-1"))\n    await asyncio.sleep(2)\n',
            )
        ],
        "virtual_seconds",
    ),
    Variant(
        "await-the-coroutine",
        "fires a task and never waits for it",
        [('    await save("order-1")\n', '    asyncio.create_task(save("order-1"))\n')],
        "no_pending_tasks",
    ),
    Variant(
        "await-the-price",
        "hard-codes the price",
        [('price = await fetch_price("book")', "price = 10")],
        "virtual_seconds",
    ),
    Variant(
        "unblock-the-loop",
        "keeps time.sleep and adds an await asyncio.sleep(0) after it",
        [
            ("import asyncio\n", "import asyncio\nimport time\n"),
            ("await asyncio.sleep(1.5)", "time.sleep(1.5)\n    await asyncio.sleep(0)"),
        ],
        "no_blocking",
    ),
    Variant(
        "unblock-the-loop",
        "drops the report's wait altogether",
        [("    await asyncio.sleep(1.5)\n    print", "    print")],
        "output",
    ),
    Variant(
        "make-downloads-concurrent",
        "fires both tasks and sleeps long enough",
        [
            (
                '    await asyncio.gather(download("a"), download("b"))',
                '    asyncio.create_task(download("a"))\n    asyncio.create_task(download("b"))\n'
                "    await asyncio.sleep(3.5)",
            )
        ],
        "virtual_seconds",
    ),
    Variant(
        "make-downloads-concurrent",
        "awaits each task right after creating it",
        [
            (
                '    await asyncio.gather(download("a"), download("b"))',
                '    await asyncio.create_task(download("a"))\n'
                '    await asyncio.create_task(download("b"))',
            )
        ],
        "virtual_seconds",
    ),
    Variant(
        "taskgroup-fetch",
        "an empty TaskGroup around gather",
        [
            (
                '        tasks = [tg.create_task(fetch(page)) for page in ["a", "b", "c"]]\n'
                "    print([task.result() for task in tasks])",
                '        print(await asyncio.gather(*(fetch(page) for page in ["a", "b", "c"])))',
            )
        ],
        "syntax",
    ),
    Variant(
        "taskgroup-fetch",
        "asyncio.create_task inside the group, awaited inside it",
        [
            (
                '        tasks = [tg.create_task(fetch(page)) for page in ["a", "b", "c"]]\n'
                "    print([task.result() for task in tasks])",
                '        tasks = [asyncio.create_task(fetch(page)) for page in ["a", "b", "c"]]\n'
                "        print([await task for task in tasks])",
            )
        ],
        "syntax",
    ),
    Variant(
        "wait-first-completed",
        "does not cancel the losers (asyncio.run would)",
        [
            (
                "    for task in pending:\n        task.cancel()\n"
                "    await asyncio.wait(pending)\n",
                "",
            )
        ],
        "no_pending_tasks",
    ),
    Variant(
        "wait-first-completed",
        "cancels the losers but never awaits them",
        [("    await asyncio.wait(pending)\n", "")],
        "cancelled_awaited",
    ),
    Variant(
        "wait-first-completed",
        "waits for all three (the default ALL_COMPLETED)",
        [(", return_when=asyncio.FIRST_COMPLETED", "")],
        "virtual_seconds",
    ),
    Variant(
        "stop-the-consumer",
        "the consumer stops on a timeout instead of a sentinel",
        [
            ("    await queue.put(None)\n", ""),
            (
                "        item = await queue.get()\n        if item is None:\n            break\n",
                "        try:\n            item = await asyncio.wait_for(queue.get(), 1.5)\n"
                "        except TimeoutError:\n            break\n",
            ),
        ],
        "virtual_seconds",
    ),
    Variant(
        "set-result-from-callback",
        "polls the future instead of awaiting it",
        [
            (
                "    return await fut\n",
                "    while not fut.done():\n        await asyncio.sleep(0.5)\n"
                "    return fut.result()\n",
            )
        ],
        "syntax",
    ),
    Variant(
        "set-result-from-callback",
        "never passes set_result to the callback API",
        [("on_signal(loop, fut.set_result)", "on_signal(loop, print)")],
        "status",
    ),
    Variant(
        "cancel-slow-task",
        "cancels and lets one loop turn pass instead of awaiting the task",
        [
            (
                "    try:\n        await task\n    except asyncio.CancelledError:\n        pass\n",
                "    await asyncio.sleep(0)\n",
            )
        ],
        "cancelled_awaited",
    ),
    Variant(
        "cancel-slow-task",
        "awaits the cancelled task under a bare except",
        [("    except asyncio.CancelledError:\n", "    except:\n")],
        "syntax",
    ),
    Variant(
        "stop-run-forever",
        "drops loop.close()",
        [("loop.close()\n", "")],
        "loops_closed",
    ),
    Variant(
        "stop-run-forever",
        "stops the loop from a timer instead of when the job ends",
        [
            (
                "task.add_done_callback(lambda _: loop.stop())",
                "loop.call_later(1.5, loop.stop)",
            )
        ],
        "virtual_seconds",
    ),
    Variant(
        "rewrite-third-program",
        "keeps the bare except around asyncio.run",
        [
            (
                "    asyncio.run(main())\n",
                "    try:\n        asyncio.run(main())\n    except:\n        pass\n",
            )
        ],
        "syntax",
    ),
    Variant(
        "rewrite-third-program",
        "keeps the old loop and never closes it",
        [
            (
                "    asyncio.run(main())\n",
                "    loop = asyncio.new_event_loop()\n    loop.run_until_complete(main())\n",
            )
        ],
        "loops_closed",
    ),
    Variant(
        "give-up-after-two-seconds",
        "cancels the fetch but never waits for it to stop",
        [
            (
                "    try:\n        async with asyncio.timeout(2):\n"
                "            quote = await fetch_quote()\n"
                "        print(quote)\n    except TimeoutError:\n"
                '        print("no quote: timed out")\n',
                "    task = asyncio.create_task(fetch_quote())\n    await asyncio.sleep(2)\n"
                '    task.cancel()\n    print("no quote: timed out")\n',
            )
        ],
        "output",
    ),
    Variant(
        "give-up-after-two-seconds",
        "hides the timeout under a bare except",
        [("    except TimeoutError:\n", "    except:\n")],
        "syntax",
    ),
    Variant(
        "collect-every-result",
        "hard-codes b's error and never looks at its task",
        [
            (
                "    pages = await asyncio.gather(*(fetch(page) for page in DELAYS), "
                "return_exceptions=True)\n",
                "    tasks = [asyncio.create_task(fetch(page)) for page in DELAYS]\n"
                "    await asyncio.sleep(3)\n"
                "    pages = [LookupError('not found') if t is tasks[1] else t.result()"
                " for t in tasks]\n",
            )
        ],
        "no_unretrieved_exception",
    ),
    Variant(
        "collect-every-result",
        "awaits the tasks one by one and stops at the first error",
        [
            (
                "    pages = await asyncio.gather(*(fetch(page) for page in DELAYS), "
                "return_exceptions=True)\n",
                "    tasks = [asyncio.create_task(fetch(page)) for page in DELAYS]\n"
                "    pages = [await task for task in tasks]\n",
            )
        ],
        "exception",
    ),
    Variant(
        "wait-for-background-tasks",
        "keeps references but sleeps the most the average email takes",
        [("    await asyncio.gather(*background)\n", "    await asyncio.sleep(2)\n")],
        "output",
    ),
    Variant(
        "wait-for-background-tasks",
        "keeps references but sleeps a guessed time instead of waiting",
        [("    await asyncio.gather(*background)\n", "    await asyncio.sleep(3)\n")],
        "virtual_seconds",
    ),
    Variant(
        "wait-for-background-tasks",
        "fire-and-forget without the set",
        [
            (
                "        background.add(task)\n"
                "        task.add_done_callback(background.discard)\n",
                "",
            ),
            ("    await asyncio.gather(*background)\n", ""),
        ],
        "no_pending_tasks",
    ),
    Variant(
        "cleanup-then-reraise",
        "catches BaseException and does not re-raise",
        [("    finally:\n", "    except BaseException:\n")],
        "syntax",
    ),
    Variant(
        "lock-the-balance",
        "takes the lock only around the write",
        [
            (
                "    async with lock:\n        current = balance\n"
                "        await asyncio.sleep(0.1)\n"
                "        balance = current + amount\n",
                "    current = balance\n    await asyncio.sleep(0.1)\n    async with lock:\n"
                "        balance = current + amount\n",
            )
        ],
        "output",
    ),
    Variant(
        "lock-the-balance",
        "deposits one after the other, so the lock guards nothing",
        [
            (
                "    await asyncio.gather(deposit(100), deposit(100), deposit(100))\n",
                "    for _ in range(3):\n        await deposit(100)\n",
            )
        ],
        "concurrency",
    ),
    Variant(
        "cleanup-then-reraise",
        "polls the cancelled task instead of awaiting it",
        [
            (
                "    try:\n        await task\n",
                "    try:\n        while not task.done():\n            await asyncio.sleep(0.1)\n"
                "        task.result()\n",
            )
        ],
        "virtual_seconds",
    ),
    Variant(
        "crawl-ten-at-a-time",
        "a semaphore created per call limits nothing",
        [("    async with limit:\n", "    async with asyncio.Semaphore(10):\n")],
        "exception",
    ),
    Variant(
        "hand-over-from-thread",
        "waits for the thread by joining it on the loop",
        [
            (
                "    threading.Thread(target=measure, args=(loop, fut)).start()\n",
                "    thread = threading.Thread(target=measure, args=(loop, fut))\n"
                "    thread.start()\n    thread.join()\n",
            )
        ],
        "no_blocking",
    ),
    Variant(
        "print-as-they-arrive",
        "gathers, then prints in order of the delays",
        [
            (
                "    for next_page in asyncio.as_completed([fetch(page) for page in DELAYS]):\n"
                "        page = await next_page\n",
                "    pages = await asyncio.gather(*(fetch(p) for p in DELAYS))\n"
                "    for page in sorted(pages, key=lambda p: DELAYS[p[1]]):\n",
            )
        ],
        "output",
    ),
    Variant(
        "readings-async-generator",
        "an async generator that still sleeps with time.sleep",
        [
            ("import asyncio\n", "import asyncio\nimport time\n"),
            (
                "        await asyncio.sleep(1)\n        yield value",
                "        time.sleep(1)\n        yield value",
            ),
        ],
        "no_blocking",
    ),
    Variant(
        "make-delay-awaitable",
        "returns the value without waiting",
        [("        yield from asyncio.sleep(self.seconds).__await__()\n", "        yield\n")],
        "virtual_seconds",
    ),
]

RIGHT: list[Variant] = [
    Variant(
        "thread-for-blocking-call",
        "run_in_executor instead of to_thread",
        [
            (
                "return await asyncio.to_thread(read_sensor, name)",
                "return await asyncio.get_running_loop().run_in_executor(None, read_sensor, name)",
            )
        ],
    ),
    Variant(
        "thread-for-blocking-call",
        "to_thread around plain calls in gather, without the read coroutine",
        [
            (
                'readings = await asyncio.gather(read("kitchen"), read("garage"))',
                "readings = await asyncio.gather(\n"
                '        asyncio.to_thread(read_sensor, "kitchen"),\n'
                '        asyncio.to_thread(read_sensor, "garage"),\n'
                "    )",
            )
        ],
    ),
    Variant(
        "unblock-the-loop",
        "keeps time.sleep, in a worker thread",
        [
            ("import asyncio\n", "import asyncio\nimport time\n"),
            ("await asyncio.sleep(1.5)", "await asyncio.to_thread(time.sleep, 1.5)"),
        ],
    ),
    Variant(
        "make-downloads-concurrent",
        "a TaskGroup",
        [
            (
                '    await asyncio.gather(download("a"), download("b"))',
                "    async with asyncio.TaskGroup() as tg:\n"
                '        tg.create_task(download("a"))\n        tg.create_task(download("b"))',
            )
        ],
    ),
    Variant(
        "make-downloads-concurrent",
        "asyncio.wait over two tasks",
        [
            (
                '    await asyncio.gather(download("a"), download("b"))',
                '    await asyncio.wait([asyncio.create_task(download(n)) for n in "ab"])',
            )
        ],
    ),
    Variant(
        "wait-first-completed",
        "gathers the cancelled losers with return_exceptions",
        [
            (
                "    await asyncio.wait(pending)\n",
                "    await asyncio.gather(*pending, return_exceptions=True)\n",
            )
        ],
    ),
    Variant(
        "stop-the-consumer",
        "queue.join, task_done and a cancelled consumer",
        [
            ("    await queue.put(None)\n", ""),
            (
                "        item = await queue.get()\n        if item is None:\n            break\n"
                '        print("consumed", item)\n',
                "        item = await queue.get()\n"
                '        print("consumed", item)\n        queue.task_done()\n',
            ),
            (
                "    await asyncio.gather(producer(queue), consumer(queue))\n",
                "    worker = asyncio.create_task(consumer(queue))\n    await producer(queue)\n"
                "    await queue.join()\n    worker.cancel()\n"
                "    await asyncio.gather(worker, return_exceptions=True)\n",
            ),
        ],
    ),
    Variant(
        "set-result-from-callback",
        "a lambda that sets the result",
        [
            (
                "on_signal(loop, fut.set_result)",
                "on_signal(loop, lambda value: fut.set_result(value))",
            )
        ],
    ),
    Variant(
        "cancel-slow-task",
        "wait_for gives up and cancels the task itself",
        [
            (
                "    await asyncio.sleep(2)\n"
                '    print("giving up")\n    task.cancel()\n    try:\n        await task\n'
                "    except asyncio.CancelledError:\n        pass\n",
                "    try:\n        await asyncio.wait_for(task, 2)\n    except TimeoutError:\n"
                '        print("giving up")\n',
            )
        ],
    ),
    Variant(
        "cancel-slow-task",
        "gather with return_exceptions awaits the cancelled task",
        [
            (
                "    try:\n        await task\n    except asyncio.CancelledError:\n        pass\n",
                "    await asyncio.gather(task, return_exceptions=True)\n",
            )
        ],
    ),
    Variant(
        "stop-run-forever",
        "the job stops the running loop itself",
        [
            (
                '    print("job done")\n',
                '    print("job done")\n    asyncio.get_running_loop().stop()\n',
            ),
            ("task.add_done_callback(lambda _: loop.stop())\n", ""),
        ],
    ),
    Variant(
        "give-up-after-two-seconds",
        "wait_for",
        [
            (
                "        async with asyncio.timeout(2):\n            quote = await fetch_quote()\n",
                "        quote = await asyncio.wait_for(fetch_quote(), timeout=2)\n",
            )
        ],
    ),
    Variant(
        "give-up-after-two-seconds",
        "asyncio.wait with a timeout, then cancel and await",
        [
            (
                "    try:\n        async with asyncio.timeout(2):\n"
                "            quote = await fetch_quote()\n"
                "        print(quote)\n    except TimeoutError:\n"
                '        print("no quote: timed out")\n',
                "    task = asyncio.create_task(fetch_quote())\n"
                "    done, _ = await asyncio.wait([task], timeout=2)\n    if done:\n"
                "        print(task.result())\n    else:\n        task.cancel()\n"
                "        await asyncio.gather(task, return_exceptions=True)\n"
                '        print("no quote: timed out")\n',
            )
        ],
    ),
    Variant(
        "collect-every-result",
        "a wrapper coroutine that catches the error",
        [
            (
                "async def main():\n",
                "async def safe(page):\n    try:\n        return await fetch(page)\n"
                "    except LookupError as error:\n        return error\n\n\nasync def main():\n",
            ),
            (
                "    pages = await asyncio.gather(*(fetch(page) for page in DELAYS), "
                "return_exceptions=True)\n",
                "    pages = await asyncio.gather(*(safe(page) for page in DELAYS))\n",
            ),
        ],
    ),
    Variant(
        "wait-for-background-tasks",
        "asyncio.wait over the set",
        [("    await asyncio.gather(*background)\n", "    await asyncio.wait(background)\n")],
    ),
    Variant(
        "cleanup-then-reraise",
        "catch CancelledError, clean up, re-raise",
        [
            ("    finally:\n", "    except asyncio.CancelledError:\n"),
            ('closed")\n', 'closed")\n        raise\n'),
        ],
    ),
    Variant(
        "lock-the-balance",
        "acquire and release by hand",
        [
            (
                "    async with lock:\n        current = balance\n"
                "        await asyncio.sleep(0.1)\n"
                "        balance = current + amount\n",
                "    await lock.acquire()\n    try:\n        current = balance\n"
                "        await asyncio.sleep(0.1)\n        balance = current + amount\n"
                "    finally:\n        lock.release()\n",
            )
        ],
    ),
    Variant(
        "crawl-ten-at-a-time",
        "ten workers sharing a queue",
        [
            (
                "    sizes = await asyncio.gather(*(crawl(page) for page in pages))\n",
                "    queue = asyncio.Queue()\n    for page in pages:\n"
                "        queue.put_nowait(page)\n"
                "    sizes = []\n\n    async def worker():\n        while not queue.empty():\n"
                "            sizes.append(await fetch(queue.get_nowait()))\n\n"
                "    await asyncio.gather(*(worker() for _ in range(10)))\n",
            )
        ],
    ),
    Variant(
        "hand-over-from-thread",
        "run_coroutine_threadsafe of a coroutine that sets the result",
        [
            (
                "    loop.call_soon_threadsafe(fut.set_result, 42)\n",
                "    async def hand_over():\n        fut.set_result(42)\n\n"
                "    asyncio.run_coroutine_threadsafe(hand_over(), loop).result()\n",
            )
        ],
    ),
    Variant(
        "print-as-they-arrive",
        "asyncio.wait(FIRST_COMPLETED) in a loop",
        [
            (
                "    for next_page in asyncio.as_completed([fetch(page) for page in DELAYS]):\n"
                "        page = await next_page\n",
                "    pending = {asyncio.create_task(fetch(page)) for page in DELAYS}\n"
                "    while pending:\n"
                "        done, pending = await asyncio.wait(\n"
                "            pending, return_when=asyncio.FIRST_COMPLETED\n"
                "        )\n"
                "        page = done.pop().result()\n",
            )
        ],
    ),
    Variant(
        "make-delay-awaitable",
        "returns the sleep's own iterator",
        [
            (
                "        yield from asyncio.sleep(self.seconds).__await__()\n"
                "        return self.value\n",
                "        return asyncio.sleep(self.seconds, self.value).__await__()\n",
            )
        ],
    ),
    Variant(
        "make-delay-awaitable",
        "a future set by a timer",
        [
            (
                "        yield from asyncio.sleep(self.seconds).__await__()\n"
                "        return self.value\n",
                "        loop = asyncio.get_running_loop()\n        fut = loop.create_future()\n"
                "        loop.call_later(self.seconds, fut.set_result, self.value)\n"
                "        return (yield from fut.__await__())\n",
            )
        ],
    ),
]
