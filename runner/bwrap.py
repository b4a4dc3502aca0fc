"""Bubblewrap isolation: the sandbox's command line, unprivileged uids per slot, the cold launcher.

Everything a learner's code can reach is built here: new user, pid, ipc, uts, cgroup and network
namespaces, no nested user namespaces, a new session, no capabilities, a read-only root holding
only the Python runtime, a size-capped private /tmp and /dev/shm, a fresh /proc, no /sys, and an
empty environment. bwrap is never started as root: a root service first switches to an
unprivileged uid leased for the slot (see UidLease), because bwrap started by root keeps host
root's powers inside.
"""

from __future__ import annotations

import ctypes
import fcntl
import functools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from runner.launch import CHILD_ENV, Limits, Outcome, frame
from runner.sandbox_io import collect
from runner.zygote import resident_bytes, seccomp_filter

PACKAGE = Path(__file__).absolute().parent
# Where the harness and the zygote appear inside the sandbox (copied in over a memfd, read-only).
INSIDE = "/run/loopdeck"
PR_SET_CHILD_SUBREAPER = 36
# The verdict's sandbox field where bubblewrap is missing and runs are only separate processes.
NO_BUBBLEWRAP = "process (no bubblewrap)"
# The harness function a sandboxed process calls with (request bytes, channel fd).
HARNESS_ENTRY = "serve_one"
# Python's own isolation without -E, so the fixed hash seed in CHILD_ENV applies.
PYTHON_FLAGS = ("-P", "-s", "-S", "-B")


def default_lock_dir() -> str:
    """Where uid leases are kept: /run/loopdeck for root where /run exists, else under /tmp."""
    if os.geteuid() == 0 and os.path.isdir("/run"):
        return "/run/loopdeck"
    return os.path.join(tempfile.gettempdir(), "loopdeck")


@dataclass(frozen=True)
class SandboxConfig:
    """What the sandbox contains and who runs it; the defaults fit Debian's python3."""

    python: str = "/usr/bin/python3"
    # Unprivileged uids leased to slots when the service runs as root: base, base + 1, ...
    uid_base: int = 60000
    uid_count: int = 1000
    tmp_bytes: int = 8 << 20
    tmp_inodes: int = 1024
    hostname: str = "sandbox"
    # Shared by every service on the machine (a private /tmp would hide one's leases from another).
    lock_dir: str = field(default_factory=default_lock_dir)


def find_bwrap() -> str | None:
    """The bwrap executable, if installed."""
    return shutil.which("bwrap") or next(
        (p for p in ("/usr/bin/bwrap", "/bin/bwrap") if os.access(p, os.X_OK)), None
    )


@functools.cache
def runtime_paths(python: str) -> tuple[str, ...]:
    """The directories the interpreter needs, asked of the interpreter itself (cached)."""
    probe = (
        "import sys, sysconfig; p = sysconfig.get_paths(); "
        "print(p['stdlib']); print(p['platstdlib']); print(sysconfig.get_config_var('MULTIARCH'))"
    )
    out = subprocess.run(
        [python, "-I", "-S", "-c", probe], env={}, capture_output=True, text=True, check=True
    ).stdout.split()
    stdlib, platstdlib, multiarch = out
    candidates = [stdlib, platstdlib, f"/usr/lib/{multiarch}", f"/lib/{multiarch}", "/usr/lib64"]
    paths: list[str] = []
    for path in candidates:
        real = os.path.realpath(path)
        if os.path.isdir(real) and real not in paths:
            paths.append(real)
    return tuple(paths)


def bwrap_argv(
    bwrap: str,
    config: SandboxConfig,
    files: dict[str, int],
    *,
    zygote: bool,
    info_fd: int | None = None,
    seccomp_fd: int | None = None,
) -> list[str]:
    """bwrap's options up to (not including) the command.

    files maps a name under INSIDE to a readable fd whose content becomes that read-only file.
    A zygote keeps CAP_SYS_ADMIN and CAP_SETPCAP in its own user namespace so it can give each
    forked run fresh namespaces and mounts; a cold run keeps nothing.
    """
    argv = [
        bwrap,
        "--unshare-user",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-net",
        "--unshare-cgroup-try",
        "--disable-userns",
        "--new-session",
        "--die-with-parent",
        "--hostname",
        config.hostname,
        "--cap-drop",
        "ALL",
    ]
    if zygote:
        argv += ["--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP"]
    else:
        # The run itself is pid 1, as on the warm path: no bubblewrap init beside it that it
        # could ptrace into a stop (and so hang its own sandbox until the wall clock).
        argv += ["--as-pid-1"]
    argv += ["--ro-bind", os.path.realpath(config.python), config.python]
    for path in runtime_paths(config.python):
        argv += ["--ro-bind", path, path]
    for link, target in (("/lib", "usr/lib"), ("/lib64", "usr/lib64"), ("/bin", "usr/bin")):
        if os.path.islink(link):
            argv += ["--symlink", target, link]
    for device in ("null", "zero", "full", "random", "urandom"):
        argv += ["--dev-bind", f"/dev/{device}", f"/dev/{device}"]
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        argv += ["--symlink", f"/proc/self/fd/{number}", f"/dev/{name}"]
    argv += ["--symlink", "/proc/self/fd", "/dev/fd", "--proc", "/proc"]
    if zygote:
        # Each run mounts its own /tmp and /dev/shm over these.
        argv += ["--dir", "/tmp", "--dir", "/dev/shm"]
    else:
        for path in ("/tmp", "/dev/shm"):
            argv += ["--size", str(config.tmp_bytes), "--perms", "1777", "--tmpfs", path]
    for name, fd in files.items():
        argv += ["--perms", "0444", "--ro-bind-data", str(fd), f"{INSIDE}/{name}"]
    for name, value in CHILD_ENV.items():
        argv += ["--setenv", name, value]
    if info_fd is not None:
        argv += ["--info-fd", str(info_fd)]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    argv += ["--remount-ro", "/", "--chdir", "/tmp" if not zygote else "/"]
    return argv


def memfd(name: str, data: bytes) -> int:
    """A readable fd holding data, for bwrap to copy in (the sandbox never sees our files)."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def source_fd(name: str) -> int:
    """A memfd holding a file of this package, for --ro-bind-data."""
    return memfd(name, sandbox_sources()[name])


@functools.cache
def sandbox_sources() -> dict[str, bytes]:
    """The files the sandbox runs: the harness and the in-sandbox side of this launcher."""
    return {name: (PACKAGE / name).read_bytes() for name in ("harness.py", "zygote.py")}


def become_subreaper() -> None:
    """Adopt orphans of our sandboxes so they are reaped here, not by a slow host pid 1.

    Not inherited across fork, so a forked worker asks again (it is idempotent).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap(pid: int) -> None:
    """Reap an adopted sandbox pid 1 if it became our child; ignore it if bwrap reaped it."""
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


class UidLease:
    """An unprivileged uid held by one slot, exclusive across the processes of this machine.

    Per-uid limits (RLIMIT_NPROC) are then not shared between learners. Only root can switch
    uids; an ordinary user's sandboxes all run as that user (uid is None).
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.uid: int | None = None
        self._lock: int | None = None
        if os.geteuid() != 0:
            return
        os.makedirs(config.lock_dir, mode=0o700, exist_ok=True)
        info = os.lstat(config.lock_dir)
        if info.st_uid != 0 or info.st_mode & 0o077:
            raise PermissionError(f"{config.lock_dir} must be root's and private")
        for uid in range(config.uid_base, config.uid_base + config.uid_count):
            fd = os.open(f"{config.lock_dir}/uid-{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid, self._lock = uid, fd
            return
        raise RuntimeError("every sandbox uid is in use")

    def popen_kwargs(self) -> dict[str, object]:
        """subprocess.Popen arguments that start the process as the leased uid, in C, no hooks."""
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.uid, "extra_groups": []}

    def release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


@functools.cache
def bwrap_available() -> bool:
    """True when bubblewrap is installed and can build the sandbox here (probed once)."""
    bwrap = find_bwrap()
    if bwrap is None or not os.access(SandboxConfig.python, os.X_OK):
        return False
    # The zygote's needs: new pid, mount and ipc namespaces inside its user namespace.
    probe = (
        "import ctypes; libc = ctypes.CDLL(None, use_errno=True); "
        "raise SystemExit(libc.unshare(0x20000000 | 0x00020000 | 0x08000000))"
    )
    lease = None
    try:
        lease = UidLease(SandboxConfig())
        argv = bwrap_argv(bwrap, SandboxConfig(), {}, zygote=True)
        result = subprocess.run(
            [*argv, SandboxConfig.python, *PYTHON_FLAGS, "-c", probe],
            env={},
            capture_output=True,
            timeout=30,
            **lease.popen_kwargs(),
        )
    except (OSError, RuntimeError, subprocess.SubprocessError):
        return False
    finally:
        if lease is not None:
            lease.release()
    return result.returncode == 0


def sandbox_kind() -> str:
    """The isolation this machine gives learners' code, as the verdict's sandbox field says it."""
    return "bwrap" if bwrap_available() else NO_BUBBLEWRAP


def exit_code(bwrap_status: int) -> int:
    """The command's exit code from bwrap's: bwrap reports death by signal N as 128 + N."""
    return -(bwrap_status - 128) if 128 < bwrap_status < 160 else bwrap_status


def rlimits(limits: Limits) -> dict[str, int | None]:
    """The rlimits the sandboxed side applies to a run, by the names the harness uses."""
    return {
        "cpu_seconds": limits.cpu_seconds,
        "address_space_bytes": limits.address_space_bytes,
        "file_size_bytes": limits.file_size_bytes,
        "open_files": limits.open_files,
        "processes": limits.processes,
    }


class BwrapLauncher:
    """Starts a fresh bubblewrap sandbox and interpreter for every run (the cold path, ~70 ms)."""

    name = "bwrap"

    def __init__(self, config: SandboxConfig | None = None, slots: int | None = None) -> None:
        self.config = config or SandboxConfig()
        bwrap = find_bwrap()
        if bwrap is None:
            raise FileNotFoundError("bubblewrap (bwrap) is not installed")
        self.bwrap = bwrap
        self.slots = slots or max(2, os.cpu_count() or 2)
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
                return self._launch(request, limits, lease)
            finally:
                lease.release()

    def _launch(self, request: bytes, limits: Limits, lease: UidLease) -> Outcome:
        started = time.monotonic()
        files = {"harness.py": source_fd("harness.py")}
        program = seccomp_filter()
        seccomp = memfd("seccomp", program) if program else None
        info_read, info_write = os.pipe()
        stdin_read, stdin_write = os.pipe()
        pipes = [os.pipe() for _ in range(3)]
        (out_read, out_write), (err_read, err_write), (channel_read, channel_write) = pipes
        run_limits = rlimits(limits)
        argv = bwrap_argv(
            self.bwrap, self.config, files, zygote=False, info_fd=info_write, seccomp_fd=seccomp
        )
        argv += [self.config.python, *PYTHON_FLAGS, f"{INSIDE}/harness.py", str(channel_write)]
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
        try:
            sandbox_pid = read_child_pid(info_read)
            write_all(stdin_write, frame(json.dumps(run_limits).encode()) + request)
            got = collect(
                out_read,
                err_read,
                channel_read,
                output_bytes=limits.output_bytes,
                deadline=started + limits.wall_seconds,
                # bwrap's pid 1 inside dies with bwrap (--die-with-parent), and the namespace
                # with it, taking every process the run started.
                kill=process.kill,
                overspent=lambda: run_memory(sandbox_pid) > limits.address_space_bytes,
            )
        except BaseException:
            process.kill()
            raise
        finally:
            status = process.wait()
            if sandbox_pid is not None:
                reap(sandbox_pid)
        return Outcome(
            stdout=got.stdout,
            stderr=got.stderr,
            channel=got.channel,
            returncode=exit_code(status) if status >= 0 else status,
            wall_seconds=time.monotonic() - started,
            killed="timeout" if got.timed_out else None,
            output_truncated=got.output_truncated,
        )


def run_memory(sandbox_pid: int | None) -> int:
    """Resident bytes of a cold run's processes: the sandbox's pid 1 and its descendants."""
    if sandbox_pid is None:
        return 0
    children: dict[int, list[int]] = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # It ended meanwhile.
        children.setdefault(parent, []).append(int(name))
    tree, stack = [], [sandbox_pid]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack += children.get(pid, [])
    return resident_bytes(tree)


def read_child_pid(fd: int) -> int | None:
    """bwrap's --info-fd JSON names the sandbox's pid 1 as the host sees it (closes fd)."""
    with os.fdopen(fd, "rb") as info:
        data = info.read()
    try:
        return int(json.loads(data)["child-pid"])
    except (ValueError, KeyError):
        return None


def write_all(fd: int, data: bytes) -> None:
    """Give the run its request on stdin and close it; a sandbox that died early is no error."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        pass
    finally:
        os.close(fd)
