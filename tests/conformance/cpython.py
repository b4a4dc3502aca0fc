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

# Runs a JSON list of programs given on stdin, one after the other, each as __main__ with its
# own stdout; prints a JSON list of {"stdout", "exception"}.
DRIVER = r"""
import asyncio, contextlib, io, json, sys, warnings
warnings.simplefilter("ignore")
results = []
for source in json.load(sys.stdin):
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


def _run_batch(python: str, sources: list[str]) -> list[dict[str, str | None]]:
    env = {"PYTHONHASHSEED": "0", "TZ": "UTC", "PATH": os.environ.get("PATH", "")}
    done = subprocess.run(
        [python, "-I", "-c", DRIVER],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{python} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def run_real(python: str, sources: list[str], processes: int = 8) -> list[dict[str, str | None]]:
    """Each program's {"stdout", "exception"} under real CPython, in the order given."""
    if not sources:
        return []
    size = -(-len(sources) // processes)
    batches = [sources[i : i + size] for i in range(0, len(sources), size)]
    with ThreadPoolExecutor(len(batches)) as pool:
        results = pool.map(lambda batch: _run_batch(python, batch), batches)
    return [result for batch in results for result in batch]


def observed(verdict: dict) -> dict[str, str | None]:
    """A runner verdict as run_real reports a program: its stdout and escaped exception."""
    exception = verdict.get("exception")
    return {"stdout": verdict["stdout"], "exception": exception and exception["type"]}
