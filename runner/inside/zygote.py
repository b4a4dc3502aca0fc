"""The warm path's sandbox side: a pre-imported zygote inside bubblewrap that forks each run.

This module runs *inside* the sandbox (stdlib only; of ``runner`` it imports only the inside
and the side-neutral protocol and procfs modules shipped with it). It is started once per slot
by ``runner.launchers.warm`` with its control socket on fd 0, imports asyncio and the harness,
then loops: every run is forked (once) ahead of its order, while the run before it runs, as
pid 1 of a new pid namespace, in new mount, ipc and network namespaces, with a private
size-capped ``/tmp`` and ``/dev/shm`` and a fresh ``/proc``; it drops every capability, loads
the seccomp filter and waits; its order brings its pipes and rlimits, and it calls the
harness's ``serve_one``. When the run's pid 1 exits (or is killed at its
wall-clock limit) the kernel kills everything it left behind, so no run can see or touch
another.

The zygote keeps CAP_SYS_ADMIN and CAP_SETPCAP *inside its own user namespace only* (bubblewrap
created it with ``--disable-userns``); only the code in this module runs with them. Runs of one
slot share its uts namespace (no capability can change it); each run gets its own network
namespace (only `lo`), made while the spare waits, so nothing an earlier run left in the kernel's
network state (TIME_WAIT sockets and their ports) is there for the next; concurrent runs are in
different slots, hence different sandboxes.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import gc
import json
import os
import select
import signal
import socket
import struct
import time
from dataclasses import dataclass

from runner.inside import harness
from runner.inside.limits import apply_limits
from runner.procfs import children, resident_bytes, tree
from runner.protocol import receive, send

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
# How often a run that is still going has its processes' memory added up: a run's rlimits are
# per process, and a run may have many.
MEMORY_POLL_SECONDS = 0.05
PR_SET_SECCOMP = 22
OOM_SCORE_ADJ_MAX = 1000
SECCOMP_MODE_FILTER = 2

libc = ctypes.CDLL(None, use_errno=True)


def check(result: int, what: str) -> None:
    """Raise OSError for a failed libc call, naming what failed."""
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    """mount(2) through libc; Python 3.11 has no binding."""
    check(
        libc.mount(
            source.encode(),
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def drop_bounding_set(last_cap: int) -> None:
    """Empty the bounding set, which every process forked from now on inherits: it only limits
    what an execve could gain, so the zygote keeps its own capabilities, and no run spends
    forty system calls on it."""
    for cap in range(last_cap + 1):
        check(libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), f"drop cap {cap}")


def drop_capabilities() -> None:
    """Empty the ambient, permitted, effective and inheritable sets (the bounding set is empty
    already, see drop_bounding_set), then verify all five."""
    check(libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient caps")
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    check(libc.capset(header, data), "capset")
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    status = open("/proc/self/status").read()
    for field in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        value = status.split(field + ":", 1)[1].split()[0]
        if int(value, 16) != 0:
            raise RuntimeError(f"{field} is {value} after dropping capabilities")


class SockFprog(ctypes.Structure):
    """struct sock_fprog: a BPF program for the kernel."""

    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def seccomp_program(program: bytes) -> SockFprog | None:
    """The seccomp program (8-byte BPF instructions) as the kernel takes it; None for b""."""
    return SockFprog(len(program) // 8, program) if program else None


def load_seccomp(program: SockFprog | None) -> None:
    """Confine this process (and everything it starts) to the seccomp program."""
    if program is not None:
        check(
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0), "seccomp"
        )


def loopback_up() -> None:
    """Bring up `lo` in a new network namespace (as bubblewrap does for its own)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", IFF_UP))


def read_all(fd: int) -> bytes:
    """Everything until the writer closes its end."""
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def recv_run(sock: socket.socket) -> tuple[dict, list[int]]:
    """Read one run order and the run's fds: its request to read, its stdout, stderr, channel."""
    return receive(sock, max_fds=4)


@dataclass
class Spare:
    """The next run, forked and confined ahead of its order, waiting on its own socket."""

    pid: int
    orders: socket.socket
    setup: int

    def close(self) -> None:
        """Let go of a spare that has died."""
        self.orders.close()
        os.close(self.setup)

    def discard(self) -> None:
        """Kill the spare, reap it and let go of it."""
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self.close()


class ZygoteServer:
    """Serves run orders from the host, one at a time, each in a fresh set of namespaces.

    The next run's process is always prepared ahead (namespaces, mounts, no capabilities,
    seccomp) while the host is busy elsewhere, so an order only has to hand it its pipes.
    """

    def __init__(self, control: socket.socket, settings: dict[str, object]) -> None:
        self.control = control
        self.tmp = f"size={settings['tmp_bytes']},nr_inodes={settings['tmp_inodes']},mode=1777"
        # bubblewrap's init and the zygote's two processes (see enter_own_pid_namespace), and
        # the next run's process, made while a run runs: the uid's processes that are not the
        # run's.
        self.base_processes = sum(name.isdigit() for name in os.listdir("/proc")) + 1
        # This process as /proc numbers it (bubblewrap's pid namespace, not our own).
        self.proc_pid = int(os.readlink("/proc/self"))
        self.own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        drop_bounding_set(int(open("/proc/sys/kernel/cap_last_cap").read()))
        # Built by the host (runner/launchers/seccomp.py); b"" off x86_64.
        self.seccomp = seccomp_program(bytes.fromhex(str(settings["seccomp"])))

    def serve_forever(self, spare: Spare) -> None:
        """Serve orders until the host closes the control socket; spare is the first run's
        process (forked before the zygote said it was ready, so the host finds it there)."""
        while True:
            try:
                order, fds = recv_run(self.control)
            except EOFError:
                os.kill(spare.pid, signal.SIGKILL)
                return
            if "limits" not in order:
                continue  # A stop request that crossed its run's end.
            spare = self.alive(spare)
            upcoming = None
            try:
                result, upcoming = self.run(spare, order, fds)
            except Exception as error:
                result = {"setup_error": f"{type(error).__name__}: {error}"}
                with contextlib.suppress(OSError):
                    os.kill(spare.pid, signal.SIGKILL)
                    os.waitpid(spare.pid, 0)
            finally:
                # The host reads the run's pipes until every copy of their ends is closed.
                for fd in fds:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            send(self.control, result)
            spare = upcoming or self.prepare()

    def alive(self, spare: Spare) -> Spare:
        """spare if it is still there, else (killed while it waited) a fresh one."""
        if os.waitpid(spare.pid, os.WNOHANG)[0] == 0:
            return spare
        spare.close()
        return self.prepare()

    def prepare(self) -> Spare:
        """Fork the next run as pid 1 of a fresh pid namespace; it confines itself and waits."""
        setup_read, setup_write = os.pipe()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        # Our children go into a fresh pid namespace: point them back at ours, then at a new
        # one (unshare only works from the namespace we are in).
        check(libc.setns(self.own_pid_ns, CLONE_NEWPID), "setns pid")
        check(libc.unshare(CLONE_NEWPID), "unshare pid")
        pid = os.fork()
        if pid == 0:
            ours.close()
            os.close(setup_read)
            self.run_snippet(theirs, setup_write)
        theirs.close()
        os.close(setup_write)
        return Spare(pid, ours, setup_read)

    def run(self, spare: Spare, order: dict, fds: list[int]) -> tuple[dict[str, object], Spare]:
        """Hand the spare its order and pipes, fork the next run's process while this one
        runs; return how this one ended, and the next one's.

        Closes fds (the run's ends of its pipes) once the run holds them.
        """
        started = time.monotonic()
        try:
            send(spare.orders, order, tuple(fds))
        except OSError:
            pass  # It died during its setup; the setup pipe says why.
        finally:
            spare.orders.close()
            for fd in fds:
                os.close(fd)
            fds.clear()
        limits = order["limits"]
        memory_bytes = limits["memory_bytes"]
        root = None
        if memory_bytes is not None:
            # The run's pid 1 as /proc numbers it, found before the next run is a child too.
            found = children(self.proc_pid)
            root = found[0] if len(found) == 1 else None
        # Confining a process takes a few milliseconds, mostly the kernel's: done while this
        # run runs, it is never what the next order waits for.
        upcoming = self.prepare()
        try:
            killed = self.wait(spare.pid, started + limits["wall_seconds"], memory_bytes, root)
            _, status = os.waitpid(spare.pid, 0)
            setup = os.read(spare.setup, 4096).decode(errors="replace")
            os.close(spare.setup)
        except BaseException:
            upcoming.discard()
            raise
        if setup != "ok" and not killed:
            return {"setup_error": setup or "the run ended during its setup"}, upcoming
        result = {
            "returncode": os.waitstatus_to_exitcode(status),
            "killed": killed,
            "wall_seconds": time.monotonic() - started,
        }
        return result, upcoming

    def wait(
        self, pid: int, deadline: float, memory_bytes: int | None, root: int | None
    ) -> str | None:
        """Wait for the run's pid 1; kill it at the deadline, when the host says so, or when
        its processes (root and its descendants, as /proc numbers them) together hold more
        than memory_bytes."""
        pidfd = os.pidfd_open(pid)
        try:
            while True:
                timeout = min(MEMORY_POLL_SECONDS, max(0.0, deadline - time.monotonic()))
                ready, _, _ = select.select([pidfd, self.control], [], [], timeout)
                if pidfd in ready:
                    return None
                if ready:
                    # The host asks to stop this run (its output cap), or has gone away.
                    with contextlib.suppress(EOFError):
                        recv_run(self.control)
                    reason = "host"
                elif time.monotonic() >= deadline:
                    reason = "wall"
                elif root is not None and resident_bytes(tree(root)) > memory_bytes:
                    reason = "memory"
                else:
                    continue
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
                return reason
        finally:
            os.close(pidfd)

    def run_snippet(self, orders: socket.socket, setup: int) -> None:
        """The run, pid 1 of its namespaces: private mounts, no capabilities, seccomp; then
        its order, its pipes, its limits, and the harness. When it exits the kernel kills
        whatever it left running.

        The run reads its own request: the zygote never holds one, so no run can find an
        earlier run's source in the memory it inherits.
        """
        try:
            self.control.close()
            # The run's processes, never the slot's, are the ones the kernel kills when the
            # run's memory runs out (the host protects the slot's: runner/launchers/warm.py).
            with open("/proc/self/oom_score_adj", "w") as adj:
                adj.write(str(OOM_SCORE_ADJ_MAX))
            # A network namespace of its own: nothing of an earlier run's sockets (TIME_WAIT
            # entries in /proc/net/tcp, say) is left for this one to see.
            check(libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET), "unshare")
            loopback_up()
            mount("none", "/", None, MS_REC | MS_PRIVATE, None)
            mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, self.tmp)
            mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, self.tmp)
            # Only process directories: no /proc/sys, /proc/kcore, /proc/kallsyms and the like.
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "subset=pid")
            os.setsid()
            os.chdir("/tmp")
            drop_capabilities()
            load_seccomp(self.seccomp)
            try:
                order, fds = recv_run(orders)
            except EOFError:
                os._exit(0)  # The zygote is shutting down; this run never had an order.
            orders.close()
            request_fd, *outputs = fds
            request = read_all(request_fd)
            null = os.open("/dev/null", os.O_RDWR)
            # Lift every source above the targets first so no dup2 overwrites a later source.
            lifted = [fcntl.fcntl(fd, fcntl.F_DUPFD, 64) for fd in (null, *outputs, setup)]
            for target, source in enumerate(lifted):
                os.dup2(source, target)
            os.closerange(5, 1 << 16)
            limits = dict(order["limits"])
            if limits.get("processes") is not None:
                limits["processes"] += self.base_processes
            apply_limits(limits)
            os.write(4, b"ok")
            os.close(4)
        except BaseException as error:  # noqa: B036 - never run the snippet half-confined
            os.write(setup, f"{type(error).__name__}: {error}".encode())
            os._exit(125)
        code = 1
        try:
            code = harness.serve_one(request, 3)
        finally:
            os._exit(code)


def enter_own_pid_namespace() -> None:
    """Continue as pid 1 of a pid namespace owned by our user namespace.

    bubblewrap's pid namespace belongs to a user namespace above ours, so we could not setns()
    back into it between runs; in a namespace of our own we can, and each run then costs one
    fork. The original process only waits and passes on how the zygote ended.
    """
    check(libc.unshare(CLONE_NEWPID), "unshare pid")
    pid = os.fork()
    if pid:
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def serve_warm(settings: dict[str, object]) -> None:
    """Start the zygote: fd 0 is its control socket from the host."""
    control = socket.socket(fileno=os.dup(0))
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    try:
        enter_own_pid_namespace()
        zygote = ZygoteServer(control, settings)
    except BaseException as error:  # noqa: B036 - tell the host why instead of dying silently
        send(control, {"error": f"{type(error).__name__}: {error}"})
        raise
    # Everything imported so far lives as long as the zygote: keep it out of the runs' garbage
    # collections, which would otherwise walk (and copy-on-write) every inherited object.
    gc.collect()
    gc.freeze()
    spare = zygote.prepare()
    send(control, {"ready": True})
    zygote.serve_forever(spare)


def main(args: list[str]) -> None:
    """The loader's entry (runner/inside/loader.py): args is the settings, as JSON."""
    (settings,) = args
    serve_warm(json.loads(settings))
