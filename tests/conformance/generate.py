"""Random asyncio programs whose output the schedule alone decides, drawn with hypothesis.

A program is a tree: leaves sleep and print; inner nodes combine their children with gather,
create_task, wait, TaskGroup, Queue, Event, Lock, Semaphore, timeout, shield (under wait_for)
and call_later. Every node is an `async def` of its own that prints what it sees and returns
its name. Delays are whole units (UNIT seconds), equal ones included, and every timer the
program sets goes through `nap()` or `later()`, which note when it was set and for how long;
at the end the program writes that list to stderr (the comparison reads stdout only).

Equal delays set in the same loop iteration wake in the order they were set, in CPython as in
the runner. Two timers set at different moments that fall due together (1 + 2 against 3) have no
order CPython guarantees, nor do equal delays set in different iterations of one moment (real
time passes between them, so CPython may fire the first and run what follows from it before the
second); `has_tie` finds them in the runner's list and such programs are left out: the corpus
holds only programs whose output real time cannot change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from hypothesis import strategies as st

UNIT = 0.1  # seconds per delay unit, in the runner and in real CPython alike
TIMERS_MARK = "TIMERS "

PRELUDE = f"""\
import asyncio
import asyncio.base_events
import json
import sys

UNIT = {UNIT}
TIMERS = []

# Which loop iteration a timer is set in (counted once per process, for every program run in it).
if not hasattr(asyncio.base_events, "conformance_iterations"):
    asyncio.base_events.conformance_iterations = [0]
    _run_once = asyncio.base_events.BaseEventLoop._run_once

    def _counted_run_once(self):
        asyncio.base_events.conformance_iterations[0] += 1
        _run_once(self)

    asyncio.base_events.BaseEventLoop._run_once = _counted_run_once


def later(units):
    loop = asyncio.get_running_loop()
    TIMERS.append([loop.time(), units, asyncio.base_events.conformance_iterations[0]])
    return units * UNIT


async def nap(units):
    await asyncio.sleep(later(units))

"""

POSTLUDE = f"""
try:
    asyncio.run(ROOT())
finally:
    print({TIMERS_MARK!r} + json.dumps(TIMERS), file=sys.stderr)
"""


@dataclass
class Node:
    kind: str
    delay: int = 0
    children: list[Node] = field(default_factory=list)
    option: str = ""
    delays: list[int] = field(default_factory=list)


def _node(kind: str, **fixed: object):
    return lambda **drawn: Node(kind, **fixed, **drawn)


def trees() -> st.SearchStrategy[Node]:
    units = st.integers(0, 4)
    leaf = st.builds(_node("leaf"), delay=units)

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        some = st.lists(children, min_size=1, max_size=4)
        return st.one_of(
            st.builds(_node("gather"), children=some),
            st.builds(_node("task_group"), children=some),
            st.builds(_node("tasks"), children=some, option=st.sampled_from(["", "reversed"])),
            st.builds(
                _node("wait"),
                children=some,
                option=st.sampled_from(["FIRST_COMPLETED", "ALL_COMPLETED"]),
            ),
            st.builds(
                _node("timeout"),
                children=st.lists(children, min_size=1, max_size=1),
                delay=st.integers(1, 6),
            ),
            st.builds(
                _node("shield"),
                children=st.lists(children, min_size=1, max_size=1),
                delay=st.integers(1, 4),
            ),
            st.builds(_node("sequence"), children=st.lists(children, min_size=1, max_size=3)),
            st.builds(
                _node("locked"),
                children=st.lists(children, min_size=2, max_size=4),
                option=st.sampled_from(["Lock()", "Semaphore(2)"]),
            ),
            st.builds(_node("event"), children=some, delay=units),
            st.builds(
                _node("queue"),
                delays=st.lists(units, min_size=1, max_size=4),
                option=st.sampled_from(["1", "2", "3"]),
            ),
            st.builds(
                _node("call_later"),
                children=st.lists(children, min_size=1, max_size=1),
                delay=units,
            ),
        )

    return st.recursive(leaf, extend, max_leaves=8)


class _Writer:
    def __init__(self) -> None:
        self.functions: list[str] = []
        self.count = 0

    def emit(self, node: Node) -> str:
        children = [self.emit(child) for child in node.children]
        self.count += 1
        name = f"f{self.count}"
        body = getattr(self, f"_{node.kind}")(name, node, children)
        lines = [f"async def {name}():", *("    " + line for line in body), f"    return {name!r}"]
        self.functions.append("\n".join(lines) + "\n")
        return name

    @staticmethod
    def _calls(children: list[str]) -> str:
        return ", ".join(f"{child}()" for child in children)

    def _leaf(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [f"print({name!r}, 'start')", f"await nap({node.delay})", f"print({name!r}, 'end')"]

    def _gather(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [f"print({name!r}, await asyncio.gather({self._calls(children)}))"]

    def _task_group(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [
            "async with asyncio.TaskGroup() as group:",
            *(f"    t{i} = group.create_task({child}())" for i, child in enumerate(children)),
            f"print({name!r}, [{', '.join(f't{i}.result()' for i in range(len(children)))}])",
        ]

    def _tasks(self, name: str, node: Node, children: list[str]) -> list[str]:
        order = range(len(children))
        if node.option == "reversed":
            order = reversed(order)
        return [
            *(f"t{i} = asyncio.create_task({child}())" for i, child in enumerate(children)),
            *(f"print({name!r}, 'awaited', await t{i})" for i in order),
        ]

    def _wait(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [
            f"tasks = [asyncio.create_task(c()) for c in ({', '.join(children)},)]",
            f"done, pending = await asyncio.wait(tasks, return_when=asyncio.{node.option})",
            f"print({name!r}, 'done', sorted(t.result() for t in done), len(pending))",
            "for t in pending:",
            "    t.cancel()",
            "await asyncio.gather(*pending, return_exceptions=True)",
        ]

    def _timeout(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [
            "try:",
            f"    async with asyncio.timeout(later({node.delay})):",
            f"        print({name!r}, 'got', await {children[0]}())",
            "except TimeoutError:",
            f"    print({name!r}, 'timed out')",
        ]

    def _shield(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [
            f"t = asyncio.create_task({children[0]}())",
            "try:",
            f"    print({name!r}, 'got', await asyncio.wait_for(asyncio.shield(t), "
            f"later({node.delay})))",
            "except TimeoutError:",
            f"    print({name!r}, 'gave up waiting')",
            f"    print({name!r}, 'then got', await t)",
        ]

    def _sequence(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [f"print({name!r}, 'next', await {child}())" for child in children]

    def _locked(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [
            f"guard = asyncio.{node.option}",
            "async def guarded(c):",
            "    async with guard:",
            f"        print({name!r}, 'enters for', c.__name__)",
            "        return await c()",
            f"print({name!r}, await asyncio.gather("
            + ", ".join(f"guarded({child})" for child in children)
            + "))",
        ]

    def _event(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [
            "event = asyncio.Event()",
            "async def waiter(c):",
            "    await event.wait()",
            "    return await c()",
            "async def setter():",
            f"    await nap({node.delay})",
            f"    print({name!r}, 'sets the event')",
            "    event.set()",
            f"print({name!r}, await asyncio.gather(setter(), "
            + ", ".join(f"waiter({child})" for child in children)
            + "))",
        ]

    def _queue(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [
            "queue = asyncio.Queue()",
            "async def producer():",
            f"    for item, units in enumerate({node.delays}):",
            "        await nap(units)",
            "        await queue.put(item)",
            f"    for _ in range({node.option}):",
            "        await queue.put(None)",
            "async def consumer(k):",
            "    while (item := await queue.get()) is not None:",
            f"        print({name!r}, 'consumer', k, 'got', item)",
            f"await asyncio.gather(producer(), *(consumer(k) for k in range({node.option})))",
        ]

    def _call_later(self, name: str, node: Node, children: list[str]) -> list[str]:
        return [
            f"asyncio.get_running_loop().call_later(later({node.delay}), print, {name!r}, 'timer')",
            f"print({name!r}, 'got', await {children[0]}())",
        ]


def program(tree: Node) -> str:
    """The program of a tree: the helpers, one coroutine function per node, the run."""
    writer = _Writer()
    root = writer.emit(tree)
    return PRELUDE + "\n\n".join(writer.functions) + POSTLUDE.replace("ROOT", root)


def timers(stderr: str) -> list[tuple[float, int, int]]:
    """The timers a run set, (virtual moment set, units, loop iteration), from its stderr."""
    for line in reversed(stderr.splitlines()):
        if line.startswith(TIMERS_MARK):
            return [tuple(timer) for timer in json.loads(line[len(TIMERS_MARK) :])]
    raise ValueError("the program did not list its timers")


def has_tie(timer_list: list[tuple[float, int, int]]) -> bool:
    """True when two timers fall due within a unit of each other but were not set for the
    same delay in the same loop iteration: real time could fire them in either order, or the
    first one's consequences before the second fires (timers set microseconds apart in one
    iteration fire together in CPython; a later iteration may be milliseconds later)."""
    due = sorted((at / UNIT + units, iteration, units) for at, units, iteration in timer_list)
    for (due_a, iter_a, units_a), (due_b, iter_b, units_b) in zip(due, due[1:], strict=False):
        if due_b - due_a < 0.5 and (iter_a != iter_b or units_a != units_b):
            return True
    return False
