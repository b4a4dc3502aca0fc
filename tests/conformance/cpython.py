"""Real CPython, for comparing the runner with: the interpreters found here, and a batch driver.

`interpreters()` lists the CPython 3.11+ interpreters on this machine (this test process's own
first, then pyenv's and Debian's), one per version. `run_real(python, sources)` runs many
programs with one of them, several programs per process (an interpreter starts in ~50 ms, and
most programs only sleep), and returns each program's stdout and the type of the exception that
escaped it, as `python main.py` would print them.
"""

from __future__ import annotations

import functools
import glob
import inspect
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from runner import Runner

# Imports what the programs use and says "ready"; then runs the JSON list of programs given on
# stdin, one after the other, each as __main__ with its own stdout; prints a JSON list of
# {"stdout", "exception"}. Every process of a batch is ready before any program starts, so
# interpreters still starting do not take the CPU from programs already timing their sleeps.
DRIVER = r"""
import asyncio, contextlib, io, json, sys, threading, time, warnings
warnings.simplefilter("ignore")
print("ready", flush=True)
sources = json.loads(sys.stdin.readline())
results = []
for source in sources:
    out = io.StringIO()
    exception = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            exec(compile(source, "main.py", "exec"), {"__name__": "__main__"})
        except SystemExit:
            pass
        except BaseException as error:
            exception = type(error).__name__
    asyncio.set_event_loop_policy(None)
    results.append({"stdout": out.getvalue(), "exception": exception})
sys.__stdout__.write(json.dumps(results))
"""

CANDIDATES = [
    sys.executable,
    *sorted(glob.glob("/root/.pyenv/versions/3.1[1-9].*/bin/python")),
    *sorted(glob.glob("/usr/bin/python3.1[1-9]")),
    *sorted(glob.glob("/usr/local/bin/python3.1[1-9]")),
]


@dataclass(frozen=True)
class Interpreter:
    version: str  # "3.12.1"
    path: str

    @property
    def minor(self) -> str:  # "3.12"
        return ".".join(self.version.split(".")[:2])


@functools.cache
def interpreters() -> tuple[Interpreter, ...]:
    """One CPython per version (3.11 and later) found here; this process's own always."""
    found: dict[str, Interpreter] = {}
    for path in CANDIDATES:
        if not os.access(path, os.X_OK):
            continue
        try:
            version = subprocess.run(
                [path, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        if tuple(int(p) for p in version.split(".")[:2]) >= (3, 11):
            found.setdefault(version, Interpreter(version, path))
    return tuple(found.values())


def runner_takes_python() -> bool:
    """True once Runner can run learners' code on a chosen interpreter (Runner(python=...))."""
    return "python" in inspect.signature(Runner).parameters


def runner_options(interpreter: Interpreter) -> dict[str, str]:
    """Runner(**options) that runs learners' code on `interpreter`, where Runner can choose."""
    return {"python": interpreter.minor} if runner_takes_python() else {}


def _start(python: str) -> subprocess.Popen[str]:
    env = {"PYTHONHASHSEED": "0", "TZ": "UTC", "PATH": os.environ.get("PATH", "")}
    process = subprocess.Popen(
        [python, "-I", "-c", DRIVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError(f"{python} failed to start: {process.communicate()[1][-2000:]}")
    return process


def _finish(process: subprocess.Popen[str], sources: list[str]) -> list[dict[str, str | None]]:
    out, err = process.communicate(json.dumps(sources) + "\n", timeout=600)
    if process.returncode != 0:
        raise RuntimeError(f"a real run failed: {err[-2000:]}")
    return json.loads(out.splitlines()[-1])


def run_real(
    python: str,
    sources: list[str],
    processes: int = 16,
    seconds: list[float] | None = None,
) -> list[dict[str, str | None]]:
    """Each program's {"stdout", "exception"} under real CPython, in the order given.

    The programs are shared out between `processes` interpreters, each taking the next program
    when it has the least to do (`seconds`: how long each program takes, if known).
    """
    if not sources:
        return []
    weights = seconds or [1.0] * len(sources)
    batches: list[list[int]] = [[] for _ in range(min(processes, len(sources)))]
    loads = [0.0] * len(batches)
    for index in sorted(range(len(sources)), key=lambda i: -weights[i]):
        least = loads.index(min(loads))
        batches[least].append(index)
        loads[least] += weights[index] + 0.01
    started = [_start(python) for _ in batches]
    with ThreadPoolExecutor(len(batches)) as pool:
        results = pool.map(_finish, started, [[sources[i] for i in b] for b in batches])
    outputs: list[dict[str, str | None]] = [{}] * len(sources)
    for batch, result in zip(batches, results, strict=True):
        for index, output in zip(batch, result, strict=True):
            outputs[index] = output
    return outputs


def observed(verdict: dict) -> dict[str, str | None]:
    """A runner verdict as run_real reports a program: its stdout and escaped exception."""
    exception = verdict.get("exception")
    return {"stdout": verdict["stdout"], "exception": exception and exception["type"]}
