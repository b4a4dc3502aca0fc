"""Property: for any tree of sleeps, sequences and gathers, virtual time is the critical path."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Sequence:
    steps: tuple


@dataclass(frozen=True)
class Gather:
    branches: tuple


# Quarter seconds add up exactly in binary floating point.
sleeps = st.integers(min_value=0, max_value=12).map(lambda n: Sleep(n / 4))
trees = st.recursive(
    sleeps,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4).map(lambda xs: Sequence(tuple(xs))),
        st.lists(inner, min_size=1, max_size=4).map(lambda xs: Gather(tuple(xs))),
    ),
    max_leaves=12,
)


def critical_path(node: object) -> float:
    if isinstance(node, Sleep):
        return node.seconds
    if isinstance(node, Sequence):
        return sum(critical_path(step) for step in node.steps)
    return max(critical_path(branch) for branch in node.branches)


def program(tree: object) -> str:
    """One coroutine function per node; the root is awaited by asyncio.run."""
    functions: list[str] = []

    def define(node: object) -> str:
        name = f"node{len(functions)}"
        functions.append("")
        index = len(functions) - 1
        if isinstance(node, Sleep):
            body = f"    await asyncio.sleep({node.seconds})"
        elif isinstance(node, Sequence):
            body = "\n".join(f"    await {define(step)}()" for step in node.steps)
        else:
            calls = ", ".join(f"{define(branch)}()" for branch in node.branches)
            body = f"    await asyncio.gather({calls})"
        functions[index] = f"async def {name}():\n{body}\n"
        return name

    root = define(tree)
    return "import asyncio\n\n" + "\n".join(functions) + f"\nasyncio.run({root}())\n"


@settings(max_examples=25, deadline=None)
@given(tree=trees)
def test_virtual_seconds_equal_the_critical_path(shared_runner, tree):
    verdict = shared_runner.run(program(tree))
    assert verdict["status"] == "ok", verdict["stderr"]
    assert verdict["virtual_seconds"] == critical_path(tree)
