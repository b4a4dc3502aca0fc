"""The differential conformance suite: the runner prints what real CPython prints.

How it works:

- **The corpus.** The Python docs' asyncio examples (written out in corpus.py, with delays in
  tenths of a second), every snippet and solution of the shipped decks whose output a run alone
  decides (not those printing the wall clock or random numbers), and GENERATED programs drawn by
  hypothesis from random trees of gather, create_task, wait, TaskGroup, Queue, Event, Lock,
  Semaphore, timeout, shield and call_later (generate.py), with equal and distinct delays in
  units of 100 ms. The seed changes every run and is printed with any failure; set
  CONFORMANCE_SEED to replay one.
- **Determined by construction.** Every timer a generated program sets goes through a helper
  that notes when it was set, for how long, and in which loop iteration. Each program runs in
  the runner first; a program with two timers falling due together that were not set for the
  same delay in the same loop iteration is left out, since CPython guarantees no order between
  them (nor between the first one's consequences and the second), and so is one that does not
  end with status ok. Equal delays set in one iteration stay in: CPython wakes them in the
  order they were set, and the runner must too. What remains has timers at least one unit apart
  or in FIFO order, so real-time jitter below 100 ms cannot change what real CPython prints. At
  least MIN_KEPT programs must remain.
- **Real CPython.** Each kept program then runs under every CPython 3.11+ found here
  (tests/conformance/cpython.py: this interpreter, pyenv's, Debian's), many programs per process
  and several processes at once (they mostly sleep), with real time; stdout and the type of an
  escaped exception must equal the runner's. A machine loaded enough to stall a process for
  longer than a unit makes real CPython itself print something else (a timer fires during a
  stall where it would not have): a program that differs is run again, up to RERUNS times, and
  fails only if real CPython never prints what the runner printed.
- **Which interpreter the runner uses.** Where `Runner(python=...)` exists, the runner runs each
  program on the same version it is compared with. Until then it runs one interpreter; a program
  whose real output differs between that version and another (asyncio changed between them) is
  compared with its own version only, and the count of such programs is shown: it differs when
  real CPython of the runner's version, run up to RERUNS more times, prints what the runner
  printed.
"""

from __future__ import annotations

import os
import random
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from runner import Runner
from tests.conformance import corpus
from tests.conformance.cpython import (
    Interpreter,
    interpreters,
    observed,
    run_real,
    runner_options,
    runner_takes_python,
)
from tests.conformance.generate import has_tie, program, timers, trees

GENERATED = 480
MIN_KEPT = 200
RERUNS = 3
SEED = int(os.environ.get("CONFORMANCE_SEED") or random.randrange(2**32))

VERSION_PROGRAM = "import sys\nprint('%d.%d' % sys.version_info[:2])\n"


def generated_programs(count: int, at_seed: int) -> list[str]:
    """`count` programs drawn by hypothesis from random trees, reproducibly from the seed."""
    sources: list[str] = []

    @seed(at_seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(trees())
    def collect(tree: Any) -> None:
        sources.append(program(tree))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collect()
    return list(dict.fromkeys(sources))


def run_all(runner: Runner, sources: list[str]) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(runner.run, sources))


class Side:
    """The runner configured for one interpreter (or the one it always uses)."""

    def __init__(self, options: dict[str, str]) -> None:
        self.runner = Runner(**options)
        self.minor = self.runner.run(VERSION_PROGRAM)["stdout"].strip()


@pytest.fixture(scope="module")
def sides() -> Any:
    """One runner per interpreter where Runner can choose it, else the one runner."""
    found = interpreters()
    if runner_takes_python():
        made = {i.version: Side(runner_options(i)) for i in found}
    else:
        made = {i.version: side for side in [Side({})] for i in found}
    yield made
    for side in {id(s): s for s in made.values()}.values():
        side.runner.close()


@pytest.fixture(scope="module")
def programs(sides: dict[str, Side]) -> dict[str, dict[str, Any]]:
    """name -> {"source", "runs": {version: verdict}} for every kept program of the corpus."""
    fixed = {f"docs:{name}": source for name, source in corpus.DOCS.items()}
    fixed.update(corpus.deck_programs())
    drawn = {f"generated:{n}": s for n, s in enumerate(generated_programs(GENERATED, SEED))}
    everything = {**fixed, **drawn}
    names = list(everything)
    verdicts: dict[str, dict[str, Any]] = {name: {} for name in names}
    done: dict[int, list[dict[str, Any]]] = {}
    for version, side in sides.items():
        if id(side) not in done:
            done[id(side)] = run_all(side.runner, [everything[n] for n in names])
        for name, verdict in zip(names, done[id(side)], strict=True):
            verdicts[name][version] = verdict
    kept = {}
    for name in names:
        runs = verdicts[name]
        if any(v["status"] not in ("ok", "error") for v in runs.values()):
            continue  # a deadlock or a virtual timeout never ends in real CPython
        if name.startswith("generated:") and any(
            v["status"] != "ok" or has_tie(timers(v["stderr"])) for v in runs.values()
        ):
            continue
        kept[name] = {"source": everything[name], "runs": runs}
    return kept


_real_cache: dict[str, dict[str, dict[str, Any]]] = {}


def real_outputs(interpreter: Interpreter, kept: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each kept program's output under real CPython, shared out between processes by how long
    the program took in the runner."""
    if interpreter.version not in _real_cache:
        names = list(kept)
        seconds = [max(v["virtual_seconds"] for v in kept[name]["runs"].values()) for name in names]
        sources = [kept[name]["source"] for name in names]
        outputs = run_real(interpreter.path, sources, 16, seconds)
        _real_cache[interpreter.version] = dict(zip(names, outputs, strict=True))
    return _real_cache[interpreter.version]


def test_enough_generated_programs_are_kept(programs: dict[str, dict[str, Any]]) -> None:
    generated = [name for name in programs if name.startswith("generated:")]
    assert len(generated) >= MIN_KEPT, f"seed {SEED}"
    docs = [name for name in programs if name.startswith("docs:")]
    assert len(docs) == len(corpus.DOCS)
    deck = [name for name in programs if ".md:" in name]
    assert len(deck) >= 20


@pytest.mark.parametrize("interpreter", interpreters(), ids=lambda i: i.version)
def test_runner_prints_what_cpython_prints(
    interpreter: Interpreter, programs: dict[str, dict[str, Any]], sides: dict[str, Side]
) -> None:
    real = real_outputs(interpreter, programs)
    side = sides[interpreter.version]
    # Until the runner can choose its interpreter, a program asyncio changed between its
    # version and this one is compared with its own version only.
    own = next((i for i in interpreters() if i.minor == side.minor), None)
    own_real = real_outputs(own, programs) if own is not None else real
    mismatches = []
    version_differences = 0
    for name, entry in programs.items():
        if side.minor != interpreter.minor and own_real[name] != real[name]:
            version_differences += 1
            continue
        got = observed(entry["runs"][interpreter.version])
        if got != real[name]:
            mismatches.append((name, entry["source"], got, real[name]))
    # On a loaded machine a real run can stall for longer than a unit, and a timer then fires
    # where it would not have: a program differing from CPython runs RERUNS times more, and the
    # runner is wrong only if real CPython never printed what it printed.
    stalled = len(mismatches)
    for _ in range(RERUNS):
        if not mismatches:
            break
        again = run_real(interpreter.path, [m[1] for m in mismatches], len(mismatches))
        mismatches = [m for m, output in zip(mismatches, again, strict=True) if output != m[2]]
        if own is not None and side.minor != interpreter.minor and mismatches:
            # The runner's own version printing what the runner printed: asyncio differs.
            mine = run_real(own.path, [m[1] for m in mismatches], len(mismatches))
            kept = [m for m, output in zip(mismatches, mine, strict=True) if output != m[2]]
            version_differences += len(mismatches) - len(kept)
            stalled -= len(mismatches) - len(kept)
            mismatches = kept
    print(
        f"{interpreter.version}: {len(programs)} programs compared with the runner on "
        f"{side.minor}; {version_differences} left out as differing between versions; "
        f"{stalled - len(mismatches)} matched only when run again"
    )
    if mismatches:
        name, source, got, want = mismatches[0]
        pytest.fail(
            f"seed {SEED}: {len(mismatches)} programs differ from CPython {interpreter.version}; "
            f"first: {name}\n{source}\nrunner: {got}\ncpython: {want}\n"
            f"all: {[m[0] for m in mismatches]}"
        )
