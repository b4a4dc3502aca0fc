"""The process launcher: a plain child interpreter per run, where bubblewrap is missing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from runner.launchers import Outcome
from runner.launchers.pipes import collect
from runner.launchers.shipping import (
    CHILD_ENV,
    HARNESS_ENTRY,
    compiled_bundle,
    python_argv,
)
from runner.limits import Limits, rlimits
from runner.protocol import encode


class _Child:
    """One harness process, started ahead of its run so the interpreter is ready when needed."""

    def __init__(self, python: str, bundle: Path) -> None:
        self.workdir = tempfile.mkdtemp(prefix="loopdeck-run-")
        self.out_read, out_write = os.pipe()
        self.err_read, err_write = os.pipe()
        self.channel_read, channel_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                python_argv(python, str(bundle), HARNESS_ENTRY, str(channel_write)),
                stdin=subprocess.PIPE,
                stdout=out_write,
                stderr=err_write,
                pass_fds=(channel_write,),
                env=CHILD_ENV,
                cwd=self.workdir,
                start_new_session=True,
            )
        except BaseException:
            for fd in (self.out_read, self.err_read, self.channel_read):
                os.close(fd)
            raise
        finally:
            for fd in (out_write, err_write, channel_write):
                os.close(fd)

    def kill(self) -> None:
        # The run's own session: everything it started, however deep, goes with it.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def run(self, request: bytes, limits: Limits) -> Outcome:
        started = time.monotonic()
        try:
            assert self.process.stdin is not None
            try:
                self.process.stdin.write(encode(rlimits(limits, per_uid=False)) + request)
                self.process.stdin.close()
            except BrokenPipeError:
                pass
            got = collect(
                self.out_read,
                self.err_read,
                self.channel_read,
                output_bytes=limits.output_bytes,
                deadline=started + limits.wall_seconds,
                kill=self.kill,
            )
            try:
                returncode = self.process.wait(timeout=limits.wall_seconds)
            except subprocess.TimeoutExpired:
                self.kill()
                returncode = self.process.wait()
        finally:
            self.kill()
            shutil.rmtree(self.workdir, ignore_errors=True)
        return Outcome(
            stdout=got.stdout,
            stderr=got.stderr,
            channel=got.channel,
            returncode=returncode,
            wall_seconds=time.monotonic() - started,
            killed="timeout" if got.timed_out else None,
            output_truncated=got.output_truncated,
        )

    def discard(self) -> None:
        self.kill()
        self.process.wait()
        if self.process.stdin is not None:
            self.process.stdin.close()
        for fd in (self.out_read, self.err_read, self.channel_read):
            os.close(fd)
        shutil.rmtree(self.workdir, ignore_errors=True)


class ProcessLauncher:
    """The weaker sandbox: a plain child process with rlimits, an empty environment, its own
    session and a scratch directory. Used where bubblewrap is missing.

    Interpreters are started ahead of their runs (`spares` of them, one per core by default),
    so a run does not wait for Python to start and import asyncio; they run the harness compiled
    once, up front, rather than compiling it every time.
    """

    name = "process"

    def __init__(self, python: str | None = None, spares: int | None = None) -> None:
        self.python = python or sys.executable
        self.spares = min(os.cpu_count() or 1, 4) if spares is None else spares
        self._compiled = tempfile.TemporaryDirectory(prefix="loopdeck-harness-")
        self.bundle = Path(self._compiled.name) / "runner.bundle"
        self.bundle.write_bytes(compiled_bundle(self.python))
        self._lock = threading.Lock()
        self._ready: list[_Child] = []
        self._closed = False
        self._refill()

    def launch(self, request: bytes, limits: Limits) -> Outcome:
        with self._lock:
            if self._closed:
                raise RuntimeError("the launcher is closed")
            child = self._ready.pop(0) if self._ready else None
        if child is None or child.process.poll() is not None:
            if child is not None:
                child.discard()
            child = _Child(self.python, self.bundle)
        try:
            return child.run(request, limits)
        finally:
            # The next runs' interpreters start now, while the caller reads this verdict.
            self._refill()

    def _refill(self) -> None:
        with self._lock:
            while not self._closed and len(self._ready) < self.spares:
                self._ready.append(_Child(self.python, self.bundle))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            children, self._ready = self._ready, []
        for child in children:
            child.discard()
        # Runs still going have read the harness already.
        self._compiled.cleanup()
