"""Runnable evidence for claims that choice, basic and type-in cards of the asyncio deck make."""

from __future__ import annotations

# card id -> (a program showing the claim, what it prints); tests run each in the runner.
CLAIMS: dict[str, tuple[str, str]] = {
    "what-can-be-awaited": (
        """\
import asyncio


async def fetch():
    return 1


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.set_result(3)
    print(await fetch(), await asyncio.create_task(fetch()), await fut)
    for thing in (fetch, None):
        try:
            await thing
        except TypeError:
            print("TypeError")


asyncio.run(main())
""",
        "1 1 3\nTypeError\nTypeError\n",
    ),
    "coroutines-are-generators-myth": (
        """\
import inspect


async def fetch():
    return 1


coro = fetch()
print(type(coro).__name__, inspect.isgenerator(coro), inspect.iscoroutine(coro))
print(all(hasattr(coro, name) for name in ("send", "throw", "close")))
try:
    iter(coro)
except TypeError:
    print("not iterable")
coro.close()
""",
        "coroutine False True\nTrue\nnot iterable\n",
    ),
    "third-program-bugs": (
        """\
import asyncio


async def work():
    return 1


async def main():
    coro = work()
    try:
        await asyncio.wait([coro])
    except TypeError:
        print("wait() rejects a bare coroutine")
    coro.close()
    done, pending = await asyncio.wait([asyncio.create_task(work())])
    print(len(done), len(pending))


loop = asyncio.new_event_loop()
print(loop.run_until_complete(work()))
loop.run_until_complete(main())
loop.close()
""",
        "1\nwait() rejects a bare coroutine\n1 0\n",
    ),
    "one-loop-per-process-myth": (
        """\
import asyncio
import threading


async def where():
    await asyncio.sleep(1)
    return threading.current_thread().name


def in_thread(results):
    results.append(asyncio.run(where()))


async def main():
    results = []
    thread = threading.Thread(target=in_thread, args=(results,), name="worker")
    thread.start()
    mine = await where()
    thread.join()
    print(sorted(results + [mine]))


asyncio.run(main())
""",
        "['MainThread', 'worker']\n",
    ),
    "loop-close-does": (
        """\
import asyncio


async def close_running():
    try:
        asyncio.get_running_loop().close()
    except RuntimeError as error:
        print(error)


loop = asyncio.new_event_loop()
loop.run_until_complete(close_running())
loop.close()
loop.close()
coro = close_running()
try:
    loop.run_until_complete(coro)
except RuntimeError as error:
    print(error)
coro.close()
""",
        "Cannot close a running event loop\nEvent loop is closed\n",
    ),
    "set-event-loop-function": (
        """\
import asyncio

loop = asyncio.new_event_loop()
print(hasattr(loop, "set_event_loop"), callable(asyncio.set_event_loop))
asyncio.set_event_loop(loop)
print(asyncio.get_event_loop() is loop)
loop.close()
""",
        "False True\nTrue\n",
    ),
    "asyncio-run-argument": (
        """\
import asyncio


async def main():
    return 1


coro = main()
try:
    asyncio.create_task(coro)
except RuntimeError as error:
    print(error)
coro.close()
""",
        "no running event loop\n",
    ),
    "future-set-method": (
        """\
import asyncio


async def main():
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(1)
    try:
        fut.set_result(2)
    except asyncio.InvalidStateError:
        print("InvalidStateError", fut.result())


asyncio.run(main())
""",
        "InvalidStateError 1\n",
    ),
    "taskgroup-on-failure": (
        """\
import asyncio


async def slow():
    await asyncio.sleep(2)
    print("slow finished anyway")


async def broken():
    await asyncio.sleep(1)
    raise ValueError("boom")


async def main():
    try:
        await asyncio.gather(slow(), broken())
    except ValueError:
        print("gather raised ValueError")
    await asyncio.sleep(2)


asyncio.run(main())
""",
        "gather raised ValueError\nslow finished anyway\n",
    ),
}
