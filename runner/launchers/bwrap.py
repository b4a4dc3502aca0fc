"""The cold path: a fresh bubblewrap sandbox and interpreter for every run (~70 ms idle)."""

from __future__ import annotations

import os
import subprocess
import threading
import time

from runner.launchers import Outcome
from runner.launchers.caps import RunCaps
from runner.launchers.pipes import collect
from runner.launchers.sandbox import (
    BUNDLE,
    INSIDE,
    SandboxConfig,
    UidLease,
    become_subreaper,
    bwrap_argv,
    bwrap_kind,
    exit_code,
    memfd,
    read_child_pid,
    reap,
    require_bwrap,
    slot_count,
    write_all,
)
from runner.launchers.seccomp import seccomp_filter
from runner.launchers.shipping import HARNESS_ENTRY, compiled_bundle, python_argv
from runner.limits import Limits, rlimits
from runner.protocol import encode


class BwrapLauncher:
    """Starts a fresh bubblewrap sandbox and interpreter for every run (the cold path, ~70 ms)."""

    @property
    def name(self) -> str:
        return bwrap_kind()

    def __init__(self, config: SandboxConfig | None = None, slots: int | None = None) -> None:
        self.config = config or SandboxConfig()
        self.bwrap = require_bwrap()
        self.slots = slot_count(slots)
        self._pid = -1

    def close(self) -> None:
        """Nothing outlives a cold run."""

    def launch(self, request: bytes, limits: Limits) -> Outcome:
        if self._pid != os.getpid():
            # First use in this process (perhaps a forked worker): its own subreaper flag and
            # slot count, none of a parent's.
            # More runs at once than cores only makes every one of them slower.
            self._slots = threading.BoundedSemaphore(self.slots)
            become_subreaper()
            self._pid = os.getpid()
        with self._slots:
            lease = UidLease(self.config)
            try:
                # bwrap, its init and the interpreter are processes of the run too.
                caps = RunCaps(limits, extra=3)
                try:
                    return self._launch(request, limits, lease, caps)
                finally:
                    caps.close()
            finally:
                lease.release()

    def _launch(self, request: bytes, limits: Limits, lease: UidLease, caps: RunCaps) -> Outcome:
        started = time.monotonic()
        # Compiled once by the sandbox's interpreter: a run does not compile the harness.
        files = {BUNDLE: memfd("bundle", compiled_bundle(self.config.python))}
        program = seccomp_filter(shared_memory=caps.cgroup is not None)
        seccomp = memfd("seccomp", program) if program else None
        info_read, info_write = os.pipe()
        stdin_read, stdin_write = os.pipe()
        pipes = [os.pipe() for _ in range(3)]
        (out_read, out_write), (err_read, err_write), (channel_read, channel_write) = pipes
        bwrap_command = bwrap_argv(
            self.bwrap, self.config, files, zygote=False, info_fd=info_write, seccomp_fd=seccomp
        )
        bwrap_command += python_argv(
            self.config.python, f"{INSIDE}/{BUNDLE}", HARNESS_ENTRY, str(channel_write)
        )
        argv = bwrap_command
        if caps.cgroup is not None:
            # bwrap starts inside the run's cgroup: sh waits for a "go" line on stdin, which
            # the host sends once it has moved sh into the cgroup; then sh becomes bwrap, so
            # every process of the run is counted from the first.
            argv = ["/bin/sh", "-c", 'read -r go && [ "$go" = go ] && exec "$@"; exit 125', "sh"]
            argv += bwrap_command
        passed = (channel_write, info_write, *files.values(), *([seccomp] if seccomp else []))
        child_ends = (stdin_read, out_write, err_write, *passed)
        try:
            process = subprocess.Popen(
                argv,
                stdin=stdin_read,
                stdout=out_write,
                stderr=err_write,
                env={},
                pass_fds=passed,
                start_new_session=True,
                **lease.popen_kwargs(),
            )
        except BaseException:
            for fd in (stdin_write, out_read, err_read, channel_read, info_read):
                os.close(fd)
            raise
        finally:
            for fd in child_ends:
                os.close(fd)
        sandbox_pid = None
        caps.root = lambda: sandbox_pid

        def kill() -> None:
            # bwrap's pid 1 inside dies with bwrap (--die-with-parent), and the namespace
            # with it, taking every process the run started; the cgroup holds them all too.
            process.kill()
            caps.kill()

        try:
            if caps.cgroup is not None:
                try:
                    caps.cgroup.add(process.pid)
                    os.write(stdin_write, b"go\n")
                except OSError:
                    # Never run outside the caps: sh exits without starting bwrap.
                    process.kill()
                    raise
            sandbox_pid = read_child_pid(info_read)
            write_all(stdin_write, encode(rlimits(limits)) + request)
            got = collect(
                out_read,
                err_read,
                channel_read,
                output_bytes=limits.output_bytes,
                deadline=started + limits.wall_seconds,
                kill=kill,
                overspent=caps.overspent,
            )
        except BaseException:
            process.kill()
            raise
        finally:
            status = process.wait()
            if sandbox_pid is not None:
                reap(sandbox_pid)
        killed, why = caps.verdict(got.overspent)
        return Outcome(
            stdout=got.stdout,
            stderr=got.stderr,
            channel=got.channel,
            returncode=exit_code(status) if status >= 0 else status,
            wall_seconds=time.monotonic() - started,
            killed="timeout" if got.timed_out else killed,
            output_truncated=got.output_truncated,
            killed_message=why,
        )
