"""The fixed part of the corpus: the Python docs' asyncio examples and the deck's programs.

The docs' examples are written out as the docs give them, with their delays in half seconds
(steps) and their clock readings printed as elapsed whole steps (the docs print the wall clock,
which no two runs share). The deck's snippets and solutions are taken as they are, except
those that print the wall clock or random numbers (left out by what their source calls).
"""

from __future__ import annotations

from pathlib import Path

CONTENT = Path(__file__).resolve().parents[2] / "content"

# What makes a program's output differ between any two real runs: it is left out.
UNDETERMINED = ("strftime", "ctime", "localtime", "datetime", "random", "id(")

DOCS = {
    "hello_world": """\
import asyncio

async def main():
    print('Hello ...')
    await asyncio.sleep(0.5)
    print('... World!')

asyncio.run(main())
""",
    "say_after_sequential": """\
import asyncio
import time

async def say_after(delay, what):
    await asyncio.sleep(delay)
    print(what)

async def main():
    start = time.monotonic()
    print("started at step", round((time.monotonic() - start) / 0.5))
    await say_after(0.5, 'hello')
    await say_after(1.0, 'world')
    print("finished at step", round((time.monotonic() - start) / 0.5))

asyncio.run(main())
""",
    "say_after_tasks": """\
import asyncio
import time

async def say_after(delay, what):
    await asyncio.sleep(delay)
    print(what)

async def main():
    task1 = asyncio.create_task(say_after(0.5, 'hello'))
    task2 = asyncio.create_task(say_after(1.0, 'world'))
    start = time.monotonic()
    print("started at step", round((time.monotonic() - start) / 0.5))
    await task1
    await task2
    print("finished at step", round((time.monotonic() - start) / 0.5))

asyncio.run(main())
""",
    "say_after_task_group": """\
import asyncio
import time

async def say_after(delay, what):
    await asyncio.sleep(delay)
    print(what)

async def main():
    async with asyncio.TaskGroup() as tg:
        task1 = tg.create_task(say_after(0.5, 'hello'))
        task2 = tg.create_task(say_after(1.0, 'world'))
        start = time.monotonic()
        print("started at step", round((time.monotonic() - start) / 0.5))
    print("finished at step", round((time.monotonic() - start) / 0.5))

asyncio.run(main())
""",
    "gather_factorial": """\
import asyncio

async def factorial(name, number):
    f = 1
    for i in range(2, number + 1):
        print(f"Task {name}: Compute factorial({number}), currently i={i}...")
        await asyncio.sleep(0.5)
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
""",
    "wait_for_timeout": """\
import asyncio

async def eternity():
    await asyncio.sleep(3600)
    print('yay!')

async def main():
    try:
        await asyncio.wait_for(eternity(), timeout=0.2)
    except TimeoutError:
        print('timeout!')

asyncio.run(main())
""",
    "timeout_block": """\
import asyncio

async def long_running_task():
    await asyncio.sleep(3600)

async def main():
    try:
        async with asyncio.timeout(0.2):
            await long_running_task()
    except TimeoutError:
        print("The long operation timed out, but we've handled it.")
    print("This statement will run regardless.")

asyncio.run(main())
""",
    "timeout_reschedule": """\
import asyncio

async def main():
    try:
        async with asyncio.timeout(None) as cm:
            new_deadline = asyncio.get_running_loop().time() + 0.5
            cm.reschedule(new_deadline)
            await asyncio.sleep(1.0)
    except TimeoutError:
        pass
    if cm.expired():
        print("Looks like we haven't finished on time.")

asyncio.run(main())
""",
    "queue_workers": """\
import asyncio

async def worker(name, queue):
    while True:
        sleep_for = await queue.get()
        await asyncio.sleep(sleep_for)
        queue.task_done()
        print(f'{name} has slept for {sleep_for:.2f} seconds')

async def main():
    queue = asyncio.Queue()
    total_sleep_time = 0
    for sleep_for in [0.5, 1.75, 1.0, 2.0, 0.5, 1.25]:
        total_sleep_time += sleep_for
        queue.put_nowait(sleep_for)
    tasks = []
    for i in range(3):
        task = asyncio.create_task(worker(f'worker-{i}', queue))
        tasks.append(task)
    await queue.join()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print('====')
    print(f'3 workers slept in parallel for {total_sleep_time:.2f} seconds')

asyncio.run(main())
""",
    "event_waiter": """\
import asyncio

async def waiter(event):
    print('waiting for it ...')
    await event.wait()
    print('... got it!')

async def main():
    event = asyncio.Event()
    waiter_task = asyncio.create_task(waiter(event))
    await asyncio.sleep(0.5)
    event.set()
    await waiter_task

asyncio.run(main())
""",
    "to_thread_blocking_io": """\
import asyncio
import time

def blocking_io():
    print("start blocking_io")
    time.sleep(0.5)
    print("blocking_io complete")

async def main():
    start = time.monotonic()
    print("started main")
    await asyncio.gather(
        asyncio.to_thread(blocking_io),
        asyncio.sleep(0.5))
    print("finished main at step", round((time.monotonic() - start) / 0.5))

asyncio.run(main())
""",
    "as_completed": """\
import asyncio

async def after(delay, what):
    await asyncio.sleep(delay)
    return what

async def main():
    coros = [after(1.5, 'slow'), after(0.5, 'fast'), after(1.0, 'middle')]
    for coro in asyncio.as_completed(coros):
        print(await coro)

asyncio.run(main())
""",
    "shield_cancel": """\
import asyncio

async def something():
    await asyncio.sleep(1.0)
    print('something finished')
    return 'result'

async def main():
    task = asyncio.create_task(something())
    try:
        await asyncio.wait_for(asyncio.shield(task), 0.5)
    except TimeoutError:
        print('gave up waiting; the task goes on')
    print(await task)

asyncio.run(main())
""",
    "lock_and_semaphore": """\
import asyncio

async def worker(name, lock, sem):
    async with sem:
        print(name, 'holds the semaphore')
        await asyncio.sleep(0.5)
        async with lock:
            print(name, 'holds the lock')
            await asyncio.sleep(0.5)
    print(name, 'done')

async def main():
    lock, sem = asyncio.Lock(), asyncio.Semaphore(2)
    await asyncio.gather(*(worker(f'w{i}', lock, sem) for i in range(4)))

asyncio.run(main())
""",
    "call_soon_and_later": """\
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    for i in range(3):
        loop.call_later(0.5, print, 'later', i)
        loop.call_soon(print, 'soon', i)
    await asyncio.sleep(1.0)

asyncio.run(main())
""",
}


def deck_programs() -> dict[str, str]:
    """Every snippet and solution of the shipped decks whose output a run alone decides."""
    from quiz.decks.fileformat import parse_deck_file

    programs: dict[str, str] = {}
    seen: set[str] = set()
    for path in sorted(CONTENT.glob("*.md")):
        if path.name == "README.md":
            continue
        for card in parse_deck_file(path).cards:
            for part in ("snippet", "solution"):
                source = getattr(card, part)
                if not source.strip() or source in seen:
                    continue
                seen.add(source)
                if any(word in source for word in UNDETERMINED):
                    continue
                programs[f"{path.name}:{card.id}:{part}"] = source
    return programs
