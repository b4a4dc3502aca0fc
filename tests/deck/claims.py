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


async def slow(seconds):
    try:
        await asyncio.sleep(seconds)
        print("slow finished anyway")
    except asyncio.CancelledError:
        print("slow cancelled")
        raise


async def broken():
    await asyncio.sleep(1)
    raise ValueError("boom")


async def interrupt():
    await asyncio.sleep(1)
    raise KeyboardInterrupt


async def main():
    try:
        await asyncio.gather(slow(2), broken())
    except ValueError:
        print("gather raised ValueError")
    await asyncio.sleep(2)
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(broken())
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                print("body cancelled")
                raise
    except* ValueError as group:
        print(type(group).__name__, group.exceptions)
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(slow(2))
            tg.create_task(interrupt())
    except KeyboardInterrupt as error:
        print("not grouped:", type(error).__name__)


try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("asyncio.run re-raises it too")
""",
        "gather raised ValueError\nslow finished anyway\nbody cancelled\n"
        "ExceptionGroup (ValueError('boom'),)\nslow cancelled\n"
        "not grouped: KeyboardInterrupt\nasyncio.run re-raises it too\n",
    ),
    "coroutine-needs-await-myth": (
        """\
import asyncio
import inspect


async def one():
    return 1


async def nap():
    await asyncio.sleep(1)


async def ticks():
    await asyncio.sleep(1)
    yield 1


def plain():
    return 1


for call in (one(), nap(), ticks(), plain()):
    print(type(call).__name__, inspect.iscoroutine(call))
    if inspect.iscoroutine(call):
        call.close()
""",
        "coroutine True\ncoroutine True\nasync_generator False\nint False\n",
    ),
    "yield-with-sleep-zero": (
        """\
import asyncio


async def other():
    print("other runs")


async def main():
    task = asyncio.create_task(other())
    asyncio.sleep(0)
    print("without await: nothing yielded")
    await asyncio.sleep(0)
    print("with await: other ran first")
    await task


asyncio.run(main())
""",
        "without await: nothing yielded\nother runs\nwith await: other ran first\n",
    ),
    "gather-first-error": (
        """\
import asyncio


async def slow(name):
    await asyncio.sleep(2)
    print(name, "still finished")


async def broken():
    await asyncio.sleep(1)
    raise ValueError("boom")


async def main():
    try:
        await asyncio.gather(slow("a"), broken(), slow("c"))
    except ValueError:
        print("raised at once")
    await asyncio.sleep(2)


asyncio.run(main())
""",
        "raised at once\na still finished\nc still finished\n",
    ),
    "cancelled-error-is-base": (
        """\
import asyncio


async def fetch():
    try:
        await asyncio.sleep(10)
    except Exception:
        print("never printed")


async def main():
    task = asyncio.create_task(fetch())
    await asyncio.sleep(1)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("went through; cancelled:", task.cancelled())
    print(issubclass(asyncio.CancelledError, BaseException))


asyncio.run(main())
""",
        "went through; cancelled: True\nTrue\n",
    ),
    "async-for-accepts": (
        """\
import asyncio


async def rows(n):
    for i in range(n):
        yield i


class Countdown:
    def __init__(self, n):
        self.n = n

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.n == 0:
            raise StopAsyncIteration
        self.n -= 1
        return self.n


async def listing():
    return [1, 2]


async def main():
    print([i async for i in rows(2)], [i async for i in Countdown(2)])
    coro = listing()
    for thing in ([1, 2], coro):
        try:
            async for _ in thing:
                pass
        except TypeError:
            print("TypeError")
    coro.close()


asyncio.run(main())
""",
        "[0, 1] [1, 0]\nTypeError\nTypeError\n",
    ),
    "what-await-returns": (
        """\
import asyncio


class AsyncAwait:
    async def __await__(self):
        return 1


class Delegating:
    def __await__(self):
        return asyncio.sleep(1, "slept").__await__()


async def main():
    try:
        await AsyncAwait()
    except TypeError:
        print("TypeError")
    print(await Delegating())


asyncio.run(main())
""",
        "TypeError\nslept\n",
    ),
    "as-completed-vs-gather": (
        """\
import asyncio


async def fetch(name, seconds):
    await asyncio.sleep(seconds)
    return name


async def main():
    print(await asyncio.gather(fetch("a", 2), fetch("b", 1)))
    tasks = [asyncio.create_task(fetch("a", 2)), asyncio.create_task(fetch("b", 1))]
    done, pending = await asyncio.wait(tasks)
    print(len(done), len(pending))
    print([await next_done for next_done in asyncio.as_completed([fetch("a", 2), fetch("b", 1)])])


asyncio.run(main())
""",
        "['a', 'b']\n2 0\n['b', 'a']\n",
    ),
    "why-locks-in-asyncio": (
        """\
import asyncio

balance = 0
lock = asyncio.Lock()


async def deposit_without_await():
    global balance
    current = balance
    balance = current + 100
    await asyncio.sleep(0)


async def deposit_locked():
    global balance
    async with lock:
        current = balance
        await asyncio.sleep(0)
        balance = current + 100


async def main():
    await asyncio.gather(*(deposit_without_await() for _ in range(3)))
    print(balance)
    await asyncio.gather(*(deposit_locked() for _ in range(3)))
    print(balance)


asyncio.run(main())
""",
        "300\n600\n",
    ),
}
