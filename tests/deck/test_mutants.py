"""Mutants of a reference solution: one modelled mistake each, spliced into the text so that
the diff shows that change alone, named `<operator>@<line>` after the reference's line."""

from __future__ import annotations

import ast

from quiz.decks.mutants import OPERATORS, generate

REFERENCE = """\
import asyncio
import time


def read_sensor(name):
    time.sleep(1)
    return name


async def fetch(n):
    await asyncio.sleep(n)
    return n


async def consumer(queue):
    while True:
        item = await queue.get()
        if item is None:
            break
        print("got", item)  # a comment survives
        queue.task_done()


async def main():
    queue = asyncio.Queue()
    lock = asyncio.Lock()
    worker = asyncio.create_task(consumer(queue))
    results = await asyncio.gather(fetch(1), fetch(2), return_exceptions=True)
    value = await asyncio.to_thread(read_sensor, "t")
    async with asyncio.TaskGroup() as tg:
        tg.create_task(fetch(1))
        tg.create_task(fetch(2))
    async with lock:
        await asyncio.sleep(0)
    async with asyncio.timeout(5):
        await asyncio.shield(fetch(1))
    for done in asyncio.as_completed([fetch(1), fetch(2)]):
        print(await done)
    await queue.put(None)
    await worker
    slow = asyncio.create_task(fetch(10))
    slow.cancel()
    try:
        await slow
    except asyncio.CancelledError:
        print("cancelled")
        raise
    loop = asyncio.new_event_loop()
    loop.close()
    return results, value


def from_a_thread(loop, future):
    try:
        print("working")
    finally:
        loop.call_soon_threadsafe(future.set_result, 1)
        print("done")


asyncio.run(main())
"""

MUTANTS = {mutant.id: mutant for mutant in generate(REFERENCE)}


def changed(ident: str) -> tuple[list[str], list[str]]:
    """The lines a mutant removes and adds."""
    diff = MUTANTS[ident].diff(REFERENCE).splitlines()[2:]
    removed = [line[1:] for line in diff if line.startswith("-")]
    added = [line[1:] for line in diff if line.startswith("+")]
    return removed, added


def test_every_operator_makes_a_mutant_of_a_program_with_each_construct():
    made = {mutant.operator for mutant in MUTANTS.values()}
    assert made == set(OPERATORS) - {"hardcode-output"}


def test_every_mutant_parses_differs_from_the_reference_and_has_its_own_id():
    sources = [mutant.source for mutant in MUTANTS.values()]
    for source in sources:
        ast.parse(source)
    assert REFERENCE not in sources
    assert len(set(sources)) == len(sources)
    for ident, mutant in MUTANTS.items():
        assert ident.split(".")[0] == f"{mutant.operator}@{mutant.line}"


def test_a_mutant_changes_its_line_only_and_keeps_the_rest_of_the_text():
    removed, added = changed("drop-await@11")
    assert (removed, added) == (["    await asyncio.sleep(n)"], ["    asyncio.sleep(n)"])
    assert "# a comment survives" in MUTANTS["drop-await@11"].source


def test_concurrent_work_awaited_one_after_another():
    assert changed("sequential-gather@28")[1] == ["    results = [await fetch(1), await fetch(2)]"]
    assert changed("sequential-tasks@27") == ([], ["    await asyncio.wait([worker])"])
    assert changed("taskgroup-to-gather@30")[1] == [
        "        await asyncio.gather(fetch(1), fetch(2))",
        "        pass",
    ]
    assert changed("group-bypass@31")[1] == ["        asyncio.create_task(fetch(1))"]
    assert changed("as-completed-to-list@37")[1] == ["    for done in [fetch(1), fetch(2)]:"]


def test_blocking_instead_of_awaiting():
    assert changed("blocking-sleep@11")[1] == ["    time.sleep(n)"]
    assert changed("unthread@29")[1] == ['    value = read_sensor("t")']
    removed, added = changed("sync-coroutine@10")
    assert "def fetch(n):" in added and "    time.sleep(n)" in added
    assert "    results = await asyncio.gather(fetch(1), fetch(2), return_exceptions=True)" not in (
        removed
    )


def test_what_was_asked_left_out():
    assert changed("drop-cancel@42") == (["    slow.cancel()"], ["    pass"])
    assert changed("drop-cancelled-await@44") == (["        await slow"], ["        pass"])
    assert changed("drop-await-statement@40") == (["    await worker"], ["    pass"])
    assert changed("drop-close@49") == (["    loop.close()"], ["    pass"])
    assert changed("drop-task-done@21") == (["        queue.task_done()"], ["        pass"])
    assert changed("drop-reraise@47") == (["        raise"], ["        pass"])
    assert changed("widen-except@45")[1] == ["    except BaseException:"]
    assert changed("drop-keyword@28")[1] == [
        "    results = await asyncio.gather(fetch(1), fetch(2))"
    ]
    assert changed("drop-lock@33")[1] == ["    if True:"]
    assert changed("drop-timeout@35")[1] == ["    if True:"]
    assert changed("drop-shield@36")[1] == ["        await fetch(1)"]
    assert changed("await-to-task@39")[1] == ["    asyncio.create_task(queue.put(None))"]


def test_cleanup_left_out_and_the_loop_called_from_a_thread_unsafely():
    removed, added = changed("drop-finally@57")
    assert removed == [
        "        loop.call_soon_threadsafe(future.set_result, 1)",
        '        print("done")',
    ]
    assert added == ["        pass"]
    assert changed("unsafe-call-soon@57")[1] == ["        loop.call_soon(future.set_result, 1)"]


def test_a_sentinel_replaced_by_a_timeout_and_a_future_polled():
    removed, added = changed("sentinel-to-timeout@17")
    assert added == [
        "        try:",
        "            item = await asyncio.wait_for(queue.get(), 1)",
        "        except asyncio.TimeoutError:",
        "            break",
        "            continue",
    ]
    assert changed("poll-future@40")[1] == [
        "    while not worker.done():",
        "        await asyncio.sleep(0.1)",
        "    worker.result()",
    ]


def test_the_hard_coded_output_comes_with_the_reference_run():
    verdict = {"passed": True, "stdout": "got 1\n", "virtual_seconds": 2.5}
    [hardcoded] = [m for m in generate(REFERENCE, verdict) if m.operator == "hardcode-output"]
    assert hardcoded.id == "hardcode-output@1"
    assert "await asyncio.sleep(2.5)" in hardcoded.source
    assert "print('got 1\\n', end='')" in hardcoded.source


def test_a_solution_that_does_not_parse_has_no_mutants():
    assert generate("def broken(:\n") == []
