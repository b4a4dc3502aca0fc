"""The harness: runs one learner snippet inside the sandboxed interpreter and reports what it saw.

Stdlib only, shipped into the sandbox with the rest of runner/inside/ (never imported by the
host). A warm process (the zygote) imports it ahead of time and calls ``serve_one`` in a
freshly forked child; everything that changes the interpreter (the clock, the event loop
policy, threads) happens inside ``serve_one``, once per process:

- runner/inside/clock.py     the virtual clock alone (pure);
- runner/inside/patch_*.py   one module per patched library, each with its install();
- runner/inside/report.py    the events, the task spans and the report;
- runner/inside/frames.py    where the learner's program is (lines, what tasks wait on);
- runner/inside/origins.py   how many origin frames its coroutines need (from its source);
- runner/inside/limits.py    the rlimits a run takes.

Protocol (runner/protocol.py): the request is one message (a JSON object); the harness answers
with one message on the channel fd, carrying the request's nonce. The snippet's own stdout and
stderr go to fds 1 and 2 untouched.
"""

from __future__ import annotations

import _thread
import builtins
import contextlib
import gc
import json
import linecache
import os
import random
import sys
import threading
import time
import traceback
import types
from typing import Any

from runner.inside import patch_asyncio, patch_futures, patch_threading, patch_time, state
from runner.inside.clock import REAL_WAIT_SECONDS, VirtualClock
from runner.inside.frames import FILENAME, seconds_text, snippet_line, traceback_line
from runner.inside.limits import apply_limits
from runner.inside.origins import origin_depth
from runner.inside.report import Report, at_line, message
from runner.protocol import HEADER, MAX_MESSAGE, decode, split

_real_monotonic = time.monotonic
_real_process_time = time.process_time
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Run(Report):
    """One run: the request, the clock, the patches, and executing the snippet."""

    def __init__(self, request: dict[str, Any], channel_fd: int) -> None:
        real_time = bool(request.get("real_time", False))
        super().__init__(str(request["nonce"]), real_time, channel_fd)
        self.source = str(request["source"])
        self.cpu_hog_seconds = float(request.get("cpu_hog_seconds", 0.1))
        self.clock = None
        if not real_time:
            cap = float(request.get("virtual_cap", 600.0))
            self.clock = VirtualClock(cap, self.virtual_timeout, self.deadlock)
        self.real_started = _real_monotonic()

    def now(self) -> float:
        if self.clock is not None:
            return self.clock.now
        return _real_monotonic() - self.real_started

    def install(self) -> None:
        """Make the interpreter the snippet's: fixed time zone and seed, and the patches."""
        # The interpreter runs without site (stdlib only), which is what defines these.
        if not hasattr(builtins, "exit"):
            builtins.exit = builtins.quit = sys.exit  # type: ignore[attr-defined]
        os.environ["TZ"] = "UTC"
        time.tzset()
        random.seed(0)
        virtual = self.clock is not None
        patch_asyncio.install(virtual, origin_depth(self.source))
        patch_time.install(virtual)
        if virtual:
            patch_threading.install()
            patch_futures.install()

    # running ------------------------------------------------------------------------------

    def waited_outside(self, sleeping: set[int]) -> None:
        """The clock's watch saw threads wait on the outside world (a socket, select, a C lock,
        a pipe) without progress: name each one's line and end the run as a deadlock."""
        frames = sys._current_frames()
        for thread in threading.enumerate():
            if thread.ident in sleeping:
                continue
            line = snippet_line(frames.get(thread.ident or 0))
            if line is None:
                continue
            seconds = seconds_text(REAL_WAIT_SECONDS)
            said = message(
                "deadlock_real_wait", thread=thread.name, where=at_line(line), seconds=seconds
            )
            self.event("deadlock", line, said)
        self.finish("deadlock", None, None)

    def execute(self) -> int:
        """Run the snippet as __main__ the way `python main.py` would; return its exit code."""
        if self.clock is not None:
            _thread.start_new_thread(self.clock.watch, (self.waited_outside, _cpu_seconds))
        lines = self.source.splitlines(keepends=True)
        linecache.cache[FILENAME] = (len(self.source), None, lines, FILENAME)
        exception = None
        exit_code = 0
        try:
            code = compile(self.source, FILENAME, "exec", dont_inherit=True)
            module = types.ModuleType("__main__")
            module.__file__ = FILENAME
            module.__builtins__ = builtins  # type: ignore[attr-defined]
            sys.modules["__main__"] = module
            sys.argv = [FILENAME]
            exec(code, module.__dict__)
        except SystemExit as stop:
            exit_code = _exit_status(stop.code)
        except BaseException as error:  # noqa: B036 - the learner's program may raise anything
            exit_code = 1
            tb = error.__traceback__
            while tb is not None and tb.tb_frame.f_code.co_filename != FILENAME:
                tb = tb.tb_next
            traceback.print_exception(type(error), error, tb)
            line = error.lineno if isinstance(error, SyntaxError) else traceback_line(tb)
            exception = {"type": type(error).__name__, "message": str(error), "line": line}
        self.wait_for_threads()
        gc.collect()
        gc.collect()
        self.finish("ok" if exit_code == 0 and exception is None else "error", exit_code, exception)
        return exit_code

    def wait_for_threads(self) -> None:
        """Like interpreter shutdown: run executors' exit hooks and join non-daemon threads.

        Each join waits on the clock for its own thread, so the others may move the clock.
        """
        hooks = getattr(threading, "_threading_atexits", [])
        for hook in reversed(list(hooks)):
            with contextlib.suppress(Exception):
                hook()
        hooks.clear()
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                with contextlib.suppress(Exception):
                    thread.join()


def _cpu_seconds() -> float:
    """CPU seconds of this process and of every process it started that is still running."""
    total = _real_process_time()
    pending = [os.getpid()]
    while pending:
        pid = pending.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
            except (OSError, ValueError):
                continue
        if pid != os.getpid():
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
            except (OSError, IndexError, ValueError):
                continue
    return total


def _exit_status(code: object) -> int:
    """sys.exit(code) as the interpreter turns it into a process exit status."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def serve_one(request: bytes | dict[str, Any], channel_fd: int) -> int:
    """Run one snippet in this process and write the report to channel_fd.

    Call once per process: it patches the interpreter for the run. Returns the snippet's exit
    code; the caller then ends the process with os._exit. Deadlocks and virtual timeouts end
    the process from inside.
    """
    if state.run is not None:
        raise RuntimeError("serve_one runs once per process")
    if isinstance(request, bytes | bytearray):
        request = decode(bytes(request))
    run = state.run = Run(request, channel_fd)
    run.install()
    return run.execute()


def _read_all(fd: int) -> bytes:
    chunks = []
    total = 0
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_MESSAGE + HEADER.size:
            raise ValueError("request too large")
    return b"".join(chunks)


def main(args: list[str]) -> None:
    """The loader's entry, args [CHANNEL_FD]: stdin holds a limits message, then the request.

    The process launcher starts this before it knows the run (a warm spare), so the limits
    come with the request instead of on the command line.
    """
    channel_fd = int(args[0]) if args else 3
    # What is imported now lives for the whole run: the final gc.collect() need not walk it.
    gc.freeze()
    data = _read_all(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    limits, request = split(data)
    apply_limits(json.loads(limits))
    code = serve_one(request, channel_fd)
    os._exit(code)
