"""The warm path: pre-imported zygotes inside bubblewrap serve each run from an isolated fork.

A warm slot (WarmSlot) is one bubblewrap sandbox running the zygote server
(runner/inside/zygote.py), started as the slot's own unprivileged uid, that has already
imported asyncio and the harness. For a run, the host hands it four fresh pipes over a unix
socket (the request to read, stdout, stderr, channel) and gives them to the run's process, which
the zygote forked while the previous run ran: pid 1 of new pid, mount, ipc and network
namespaces with a private /tmp and /dev/shm, every capability dropped, the seccomp filter
loaded. The run applies its rlimits, and the zygote reports how it ended. The whole slot lives
in one cgroup (runner/cgroups.py), capped afresh for each run. A run costs a few milliseconds
instead of the ~70 ms of a fresh sandboxed interpreter. WarmPool, the launcher, keeps the slots.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

from runner import cgroups
from runner.cgroups import RunCgroup
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
    memfd,
    read_child_pid,
    reap,
    require_bwrap,
    slot_count,
    write_all,
)
from runner.launchers.seccomp import seccomp_filter
from runner.launchers.shipping import ZYGOTE_ENTRY, python_argv, source_bundle
from runner.limits import Limits, rlimits
from runner.procfs import children
from runner.protocol import receive, send

# How long the host waits past a run's wall limit for the zygote's own kill before killing the
# whole zygote; and how long a zygote may take to start.
GRACE_SECONDS = 1.0
START_SECONDS = 10.0
# A process the kernel never kills for memory (/proc/PID/oom_score_adj).
OOM_SCORE_ADJ_MIN = -1000


class ZygoteGone(RuntimeError):
    """The zygote stopped answering; the slot is discarded and a new one started."""

    def __init__(self, message: str, *, before_run: bool = False) -> None:
        super().__init__(message)
        self.before_run = before_run


class WarmSlot:
    """One warm sandbox: bwrap running the zygote server (runner/inside/zygote.py) as the
    slot's uid."""

    def __init__(self, bwrap: str, config: SandboxConfig) -> None:
        self.lease = UidLease(config)
        self.alive = True
        self.cgroup: RunCgroup | None = None
        self.control, inside = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        files = {BUNDLE: memfd("bundle", source_bundle())}
        info_read, info_write = os.pipe()
        argv = bwrap_argv(bwrap, config, files, zygote=True, info_fd=info_write)
        settings = {
            "tmp_bytes": config.tmp_bytes,
            "tmp_inodes": config.tmp_inodes,
            "seccomp": seccomp_filter(shared_memory=cgroups.available() is not None).hex(),
        }
        argv += python_argv(config.python, f"{INSIDE}/{BUNDLE}", ZYGOTE_ENTRY, json.dumps(settings))
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=inside.fileno(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={},
                pass_fds=(info_write, *files.values()),
                start_new_session=True,
                **self.lease.popen_kwargs(),
            )
        except BaseException:
            self.control.close()
            self.lease.release()
            raise
        finally:
            inside.close()
            for fd in (info_write, *files.values()):
                os.close(fd)
        self.sandbox_pid = read_child_pid(info_read)
        try:
            hello = self._receive(time.monotonic() + START_SECONDS)
        except ZygoteGone:
            self.kill()
            raise
        if not hello.get("ready"):
            self.kill()
            raise RuntimeError(f"the sandbox zygote did not start: {hello.get('error')}")
        try:
            self.slot_pids = self.lineage()[:-1]
            self.cgroup = self._join_cgroup()
        except BaseException:
            self.kill()
            raise

    def lineage(self) -> list[int]:
        """Host pids of the slot's processes: bubblewrap's init, the loader, the zygote, and
        the zygote's one child, the next run's process (each the one child of the one before)."""
        pids = [self.sandbox_pid] if self.sandbox_pid is not None else []
        while pids and len(pids) < 4:
            found = children(pids[-1])
            if len(found) != 1:
                break
            pids += found
        if len(pids) != 4:
            raise ZygoteGone("the zygote's processes are not as expected")
        return pids

    def _join_cgroup(self) -> RunCgroup | None:
        """Put the whole slot in a cgroup of its own, once, so that every run is born in it
        (runner/cgroups.py: joining a cgroup costs the kernel a grace period, forking in one
        nothing); each run is capped there afresh (RunCaps). The slot's own processes are
        never the kernel's choice when a run's memory runs out: only a run's processes are."""
        hierarchy = cgroups.available()
        if hierarchy is None:
            return None
        cgroup = RunCgroup(hierarchy, memory_bytes=Limits().address_space_bytes, processes=None)
        try:
            for pid in self.lineage():
                cgroup.add(pid)
            for pid in self.slot_pids:
                with contextlib.suppress(OSError), open(f"/proc/{pid}/oom_score_adj", "w") as adj:
                    # Only root may lower it; each run raises its own (runner/inside/zygote.py).
                    adj.write(str(OOM_SCORE_ADJ_MIN))
        except BaseException:
            cgroup.remove()
            raise
        return cgroup

    def spare_pid(self) -> int | None:
        """The host pid of the next run's process, waiting for its order: the zygote's one
        child between runs (None if it has not one)."""
        found = children(self.slot_pids[-1])
        return found[0] if len(found) == 1 else None

    def run(self, request: bytes, limits: Limits) -> Outcome:
        """Serve one run; raises ZygoteGone (after killing it) if the zygote misbehaves."""
        # The slot's own processes and the next run's share the run's cgroup and its count.
        caps = RunCaps(limits, extra=len(self.slot_pids) + 1, cgroup=self.cgroup)
        try:
            return self._run(request, limits, caps)
        finally:
            caps.close()

    def _run(self, request: bytes, limits: Limits, caps: RunCaps) -> Outcome:
        started = time.monotonic()
        if caps.cgroup is None:
            # Where no cgroup counts the run, the host adds up its processes from this one.
            root = self.spare_pid()
            caps.root = lambda: root
        (request_read, request_write), (out_read, out_write), (err_read, err_write) = (
            os.pipe(),
            os.pipe(),
            os.pipe(),
        )
        chan_read, chan_write = os.pipe()
        # The address-space limit is per process; the run's processes together may also hold
        # no more than that in memory: the kernel sees to it in a cgroup, else the zygote adds
        # up the run's processes' memory.
        memory = None if caps.cgroup is not None else limits.address_space_bytes
        watch = {"wall_seconds": limits.wall_seconds, "memory_bytes": memory}
        order = {"limits": rlimits(limits) | watch}
        run_ends = (request_read, out_write, err_write, chan_write)
        try:
            send(self.control, order, run_ends)
        except OSError as error:
            for fd in (request_write, out_read, err_read, chan_read):
                os.close(fd)
            self.kill()
            raise ZygoteGone("the zygote stopped reading run orders", before_run=True) from error
        finally:
            for fd in run_ends:
                os.close(fd)
        # The run itself reads its request (the zygote never holds one).
        write_all(request_write, request)
        try:
            got = collect(
                out_read,
                err_read,
                chan_read,
                output_bytes=limits.output_bytes,
                deadline=started + limits.wall_seconds + GRACE_SECONDS,
                # The zygote kills the run's pid 1, hence its whole pid namespace; a zygote
                # that does not is killed with its slot once the pipes stay open too long.
                kill=self._stop_run,
                overspent=caps.overspent,
            )
            result = self._receive(time.monotonic() + GRACE_SECONDS + limits.wall_seconds)
        except (RuntimeError, OSError, ValueError) as error:
            self.kill()
            raise ZygoteGone(str(error)) from error
        if "setup_error" in result:
            self.kill()
            raise RuntimeError(f"the sandbox could not set up a run: {result['setup_error']}")
        killed, why = caps.verdict(got.overspent or result.get("killed"))
        return Outcome(
            stdout=got.stdout,
            stderr=got.stderr,
            channel=got.channel,
            returncode=int(result["returncode"]),
            wall_seconds=time.monotonic() - started,
            killed="timeout" if result.get("killed") == "wall" or got.timed_out else killed,
            output_truncated=got.output_truncated,
            killed_message=why,
        )

    def _stop_run(self) -> None:
        """Ask the zygote to kill the current run (output cap); if it cannot hear, kill it."""
        try:
            send(self.control, {"stop": True})
        except OSError:
            self.kill()

    def _receive(self, deadline: float) -> dict:
        """One message from the zygote, by the deadline."""
        try:
            message, _ = receive(self.control, deadline=deadline)
        except TimeoutError as error:
            raise ZygoteGone("the zygote did not answer in time") from error
        except EOFError as error:
            raise ZygoteGone("the zygote went away") from error
        return message

    def kill(self) -> None:
        """End the zygote and everything inside it now."""
        self.alive = False
        self.process.kill()
        if self.cgroup is not None:
            self.cgroup.kill()
        self.close()

    def close(self) -> None:
        """Let the zygote finish (it exits when its control socket closes) and reap it."""
        self.alive = False
        self.control.close()
        try:
            self.process.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.sandbox_pid is not None:
            reap(self.sandbox_pid)
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        self.lease.release()


class WarmPool:
    """The warm launcher: a pool of warm slots, one per concurrent run, each its own uid; runs
    queue for a slot."""

    @property
    def name(self) -> str:
        return bwrap_kind()

    def __init__(self, config: SandboxConfig | None = None, slots: int | None = None) -> None:
        self.config = config or SandboxConfig()
        self.bwrap = require_bwrap()
        self.slots = slot_count(slots)
        self._closed = False
        self._start_fresh()

    def _start_fresh(self) -> None:
        """No zygotes yet, in this process."""
        self._pid = os.getpid()
        self._idle: list[WarmSlot] = []
        self._started = 0
        self._changed = threading.Condition()
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zygote-spawner")
        become_subreaper()

    def launch(self, request: bytes, limits: Limits, retry: bool = True) -> Outcome:
        started = time.monotonic()
        zygote = self._take()
        try:
            return zygote.run(request, limits)
        except ZygoteGone as gone:
            # A slot that failed is replaced, never reused. A zygote found dead before the run
            # began costs one retry on a fresh one; one that died during the run (or ignored
            # its own wall clock) takes the run with it.
            if not (gone.before_run and retry):
                spent = time.monotonic() - started
                killed = "timeout" if spent >= limits.wall_seconds else None
                return Outcome(b"", b"", b"", None, spent, killed)
        finally:
            self._give_back(zygote)
        return self.launch(request, limits, retry=False)

    def _take(self) -> WarmSlot:
        if os.getpid() != self._pid:
            # A forked copy of the service (a worker of a pre-forking server) must never talk
            # to its parent's zygotes, nor wait for its parent's threads: start over.
            self._start_fresh()
        with self._changed:
            while True:
                if self._closed:
                    raise RuntimeError("the launcher is closed")
                if self._idle:
                    return self._idle.pop()
                if self._started < self.slots:
                    self._started += 1
                    break
                self._changed.wait()
        try:
            # bwrap's --die-with-parent follows the *thread* that started it: start every
            # zygote from one thread that lives as long as the launcher, never from a caller's
            # thread, which may end (a thread pool shutting down) and take the zygote with it.
            return self._spawner.submit(WarmSlot, self.bwrap, self.config).result()
        except BaseException:
            with self._changed:
                self._started -= 1
                self._changed.notify()
            raise

    def _give_back(self, zygote: WarmSlot) -> None:
        with self._changed:
            if zygote.alive and not self._closed:
                self._idle.append(zygote)
                self._changed.notify()
                return
            self._started -= 1
            self._changed.notify()
        if zygote.alive:
            zygote.close()

    def close(self) -> None:
        """Stop every idle zygote; busy ones stop when their run returns."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._changed.notify_all()
        for zygote in idle:
            zygote.close()
        self._spawner.shutdown()

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
