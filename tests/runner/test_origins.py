"""How many origin frames a program's coroutines get (runner/inside/origins.py): one where every
coroutine is created by a line of main.py, two where a library function can create one on a
line's behalf; the never-awaited report names that line either way."""

from __future__ import annotations

import textwrap

import pytest

from bench.tasks_bench import PROGRAM
from runner.inside.origins import CREATOR, CREATOR_AND_CALLER, origin_depth

AS_COMPLETED = """
import asyncio

async def fetch(n):
    await asyncio.sleep(n)
    return n

async def main():
    for next_done in asyncio.as_completed([fetch(2), fetch(1)]):
        pass

asyncio.run(main())
"""

SINGLEDISPATCH = """
import asyncio
import functools

@functools.singledispatch
async def handle(item):
    print("handled", item)

async def main():
    handle(1)
    await asyncio.sleep(0)

asyncio.run(main())
"""

CLOSING = """
import asyncio
import contextlib

class Connection:
    async def close(self):
        print("closed")

async def main():
    with contextlib.closing(Connection()):
        print("using")

asyncio.run(main())
"""

CREATED_IN_MAIN = """
import asyncio

async def greet():
    print("hi")

async def main():
    greet()
    tasks = [asyncio.create_task(asyncio.sleep(n)) for n in range(3)]
    await asyncio.wait_for(asyncio.gather(*tasks), 5)

asyncio.run(main())
"""


def test_a_program_whose_coroutines_are_all_created_by_its_own_lines_keeps_the_creator_only():
    assert origin_depth(PROGRAM) == CREATOR
    assert origin_depth(textwrap.dedent(CREATED_IN_MAIN)) == CREATOR


@pytest.mark.parametrize(
    "source",
    [
        AS_COMPLETED,
        SINGLEDISPATCH,
        CLOSING,
        "import asyncio\nasync def tick(): pass\nasyncio.get_event_loop().call_soon(tick)\n",
        "import functools, asyncio\nwake = functools.partial(asyncio.sleep, 1)\n",
        "import asyncio\nq = asyncio.Queue()\nget = q.get\n",
        "async def tick(): pass\ngetattr(__import__('__main__'), 'tick')()\n",
        "async def tick(:\n",
    ],
    ids=[
        "as_completed",
        "decorated",
        "async method",
        "callback",
        "asyncio's as a value",
        "asyncio's method as a value",
        "dynamic",
        "unparsable",
    ],
)
def test_a_program_where_a_library_function_can_create_a_coroutine_keeps_its_caller(source):
    assert origin_depth(textwrap.dedent(source)) == CREATOR_AND_CALLER


def never_awaited(verdict: dict) -> list[tuple[str, int | None]]:
    return [(e["kind"], e["line"]) for e in verdict["events"] if e["kind"] == "never_awaited"]


def test_as_completeds_coroutines_never_awaited_are_reported_at_the_loop_over_them(run):
    verdict = run(AS_COMPLETED)
    assert never_awaited(verdict) == [("never_awaited", 9), ("never_awaited", 9)]


def test_a_decorated_coroutine_function_never_awaited_is_reported_at_its_call(run):
    verdict = run(SINGLEDISPATCH)
    assert never_awaited(verdict) == [("never_awaited", 10)]
    assert "main.py:10: RuntimeWarning: coroutine 'handle' was never awaited" in verdict["stderr"]


def test_an_async_method_a_library_calls_never_awaited_is_reported_at_the_line_calling_it(run):
    verdict = run(CLOSING)
    assert verdict["stdout"] == "using\n"
    assert never_awaited(verdict) == [("never_awaited", 10)]


def test_a_coroutine_created_by_its_own_line_is_reported_there_with_one_frame_kept(run):
    verdict = run(CREATED_IN_MAIN)
    assert verdict["stdout"] == ""
    assert never_awaited(verdict) == [("never_awaited", 8)]
