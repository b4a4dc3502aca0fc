"""Bubblewrap isolation: the sandbox's command line, unprivileged uids per slot, availability.

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
import time
from dataclasses import dataclass, field

from runner.launchers.caps import accounting
from runner.launchers.reach import reachable
from runner.launchers.shipping import CHILD_ENV, PYTHON_FLAGS

# Where the bundle of runner/inside/ appears inside the sandbox (copied in over a memfd,
# read-only), and its name there.
INSIDE = "/run/loopdeck"
BUNDLE = "runner.bundle"
PR_SET_CHILD_SUBREAPER = 36
# The verdict's sandbox field where bubblewrap is missing and runs are only separate processes.
NO_BUBBLEWRAP = "process (no bubblewrap)"


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


def require_bwrap() -> str:
    """The bwrap executable; FileNotFoundError where it is not installed."""
    bwrap = find_bwrap()
    if bwrap is None:
        raise FileNotFoundError("bubblewrap (bwrap) is not installed")
    return bwrap


def slot_count(slots: int | None) -> int:
    """How many runs a launcher serves at once: one per core (at least 2) unless told."""
    return slots or max(2, os.cpu_count() or 2)


@functools.cache
def runtime_paths(python: str) -> tuple[str, ...]:
    """The directories the interpreter needs, asked of the interpreter itself (cached)."""
    probe = (
        "import os, sys, sysconfig; p = sysconfig.get_paths(); v = sysconfig.get_config_var; "
        "print(p['stdlib']); print(p['platstdlib']); print(v('MULTIARCH')); "
        "print(os.path.join(v('LIBDIR'), v('INSTSONAME')) if v('Py_ENABLE_SHARED') else '-')"
    )
    out = subprocess.run(
        [python, "-I", "-S", "-c", probe], env={}, capture_output=True, text=True, check=True
    ).stdout.split()
    stdlib, platstdlib, multiarch, libpython = out
    candidates = [stdlib, platstdlib, f"/usr/lib/{multiarch}", f"/lib/{multiarch}", "/usr/lib64"]
    paths: list[str] = []
    for path in candidates:
        real = os.path.realpath(path)
        if os.path.isdir(real) and real not in paths:
            paths.append(real)
    # A shared-library build (pyenv's, uv's) needs its libpython, which its binary finds by
    # rpath at the same place.
    if libpython != "-" and not any(libpython.startswith(path + "/") for path in paths):
        if os.path.isfile(libpython):
            paths.append(libpython)
    return tuple(paths)


def runtime_binds(python: str) -> list[tuple[str, str]]:
    """(source, destination) of every read-only bind the interpreter needs; a source the
    sandbox's uid cannot reach (pyenv under /root) is its mirror (runner/launchers/reach.py)."""
    binds = [(os.path.realpath(python), python)]
    binds += [(path, path) for path in runtime_paths(python)]
    return [(reachable(source), destination) for source, destination in binds]


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
    A zygote keeps CAP_SYS_ADMIN, CAP_SETPCAP and CAP_NET_ADMIN in its own user namespace so it
    can give each forked run fresh namespaces (network included) and mounts; a cold run keeps
    nothing.
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
        # CAP_NET_ADMIN: to bring up `lo` in each run's own network namespace.
        argv += ["--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP"]
        argv += ["--cap-add", "CAP_NET_ADMIN"]
    else:
        # The run itself is pid 1, as on the warm path: no bubblewrap init beside it that it
        # could ptrace into a stop (and so hang its own sandbox until the wall clock).
        argv += ["--as-pid-1"]
    for source, destination in runtime_binds(config.python):
        argv += ["--ro-bind", source, destination]
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


def become_subreaper() -> None:
    """Adopt orphans of our sandboxes so they are reaped here, not by a slow host pid 1.

    Not inherited across fork, so a forked worker asks again (it is idempotent).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_all(seconds: float = 5.0) -> None:
    """Wait (up to seconds) for every child and adopted orphan of this process to end, and reap
    them: a command that exits first would leave its sandboxes' last processes to pid 1."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.01)


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


def bwrap_kind() -> str:
    """ "bwrap (cgroup v1)", "bwrap (cgroup v2)" or "bwrap (memory sampled)": the sandbox, and
    how a run's memory is capped in it (runner/launchers/caps.py); both launchers' name."""
    return f"bwrap ({accounting()})"


def sandbox_kind() -> str:
    """The isolation this machine gives learners' code, as the verdict's sandbox field says it."""
    return bwrap_kind() if bwrap_available() else NO_BUBBLEWRAP


def exit_code(bwrap_status: int) -> int:
    """The command's exit code from bwrap's: bwrap reports death by signal N as 128 + N."""
    return -(bwrap_status - 128) if 128 < bwrap_status < 160 else bwrap_status


def read_child_pid(fd: int) -> int | None:
    """bwrap's --info-fd JSON names the sandbox's pid 1 as the host sees it (closes fd)."""
    with os.fdopen(fd, "rb") as info:
        data = info.read()
    try:
        return int(json.loads(data)["child-pid"])
    except (ValueError, KeyError):
        return None


def write_all(fd: int, data: bytes) -> None:
    """Give the run its request and close the pipe; a sandbox that died early is no error."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        pass
    finally:
        os.close(fd)
