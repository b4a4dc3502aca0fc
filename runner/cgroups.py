"""Kernel caps per run: a cgroup for each run's processes, with its memory, process count and
CPU time counted by the kernel.

Memory in a cgroup counts everything the run's processes cause the kernel to hold for them:
anonymous memory, page cache, shared memory and memfds kept alive by mappings after their fds
are closed (which /proc's resident sizes miss), and kernel memory. At the cap the kernel
reclaims, then kills inside the cgroup only, never the web server or the database.

cgroup v2 is used where its memory and pids controllers are enabled in a directory this
process may write (a delegated subtree: LOOPDECK_CGROUP names one, else this process's own
cgroup's parent when writable); cgroup v1 where the host mounts the memory, pids and cpuacct
hierarchies separately and they are writable (as root). Where neither can be had, `available()`
returns None and the launchers fall back to adding up each process's proportional memory
(runner/procfs.py); the verdict's `sandbox` field says which applies.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
import signal
import time
from dataclasses import dataclass

V1_CONTROLLERS = ("memory", "pids", "cpuacct")
MOUNTS = "/proc/self/mounts"
# Where run cgroups go, under the chosen directory of each hierarchy.
GROUP = "loopdeck"


@dataclass(frozen=True)
class Hierarchy:
    """Where this machine lets us create run cgroups: one directory per controller (v1), or one
    for all (v2, every key naming the same directory)."""

    version: int
    dirs: dict[str, str]

    @property
    def kind(self) -> str:
        """How the verdict's `sandbox` field names this accounting."""
        return f"cgroup v{self.version}"


def _mounts() -> list[tuple[str, str, list[str]]]:
    found = []
    with open(MOUNTS) as mounts:
        for line in mounts:
            fields = line.split()
            if len(fields) >= 4:
                found.append((fields[1], fields[2], fields[3].split(",")))
    return found


def _own_paths() -> dict[str, str]:
    """This process's cgroup path per v1 controller, and under "" its v2 path."""
    paths = {}
    with open("/proc/self/cgroup") as lines:
        for line in lines:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                paths[name] = path
    return paths


def _writable_dir(path: str) -> bool:
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def _make_base(parent: str) -> str | None:
    base = os.path.join(parent, GROUP)
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        return None
    return base if _writable_dir(base) else None


def _v2(mounts: list[tuple[str, str, list[str]]], own: dict[str, str]) -> Hierarchy | None:
    roots = [point for point, kind, _ in mounts if kind == "cgroup2"]
    candidates = []
    if os.environ.get("LOOPDECK_CGROUP"):
        candidates.append(os.environ["LOOPDECK_CGROUP"])
    for root in roots:
        # Our own cgroup holds processes (ours), so runs go beside it, under its parent.
        own_dir = os.path.join(root, own.get("", "/").lstrip("/"))
        candidates += [os.path.dirname(own_dir.rstrip("/")), root]
    for parent in candidates:
        try:
            with open(os.path.join(parent, "cgroup.subtree_control")) as control:
                enabled = control.read().split()
        except OSError:
            continue
        if not {"memory", "pids"} <= set(enabled) or not _writable_dir(parent):
            continue
        base = _make_base(parent)
        if base is None:
            continue
        try:
            with open(os.path.join(base, "cgroup.subtree_control"), "w") as control:
                control.write("+memory +pids +cpu")
        except OSError:
            with contextlib.suppress(OSError):
                with open(os.path.join(base, "cgroup.subtree_control"), "w") as control:
                    control.write("+memory +pids")
        return Hierarchy(2, dict.fromkeys(V1_CONTROLLERS, base))
    return None


def _v1(mounts: list[tuple[str, str, list[str]]], own: dict[str, str]) -> Hierarchy | None:
    dirs = {}
    for controller in V1_CONTROLLERS:
        point = next(
            (p for p, kind, opts in mounts if kind == "cgroup" and controller in opts), None
        )
        if point is None:
            return None
        # Under our own cgroup of that hierarchy: a container's limits still hold above us.
        parent = os.path.join(point, own.get(controller, "/").lstrip("/"))
        base = _make_base(parent) if _writable_dir(parent) else None
        if base is None:
            return None
        dirs[controller] = base
    if "memory" in dirs:
        # Children count towards their parent's limit (always so on recent kernels).
        with contextlib.suppress(OSError):
            with open(os.path.join(dirs["memory"], "memory.use_hierarchy"), "w") as flag:
                flag.write("1")
    return Hierarchy(1, dirs)


@functools.cache
def available() -> Hierarchy | None:
    """The cgroup hierarchy runs can be capped in here, or None (probed once)."""
    if os.environ.get("LOOPDECK_NO_CGROUP"):
        return None
    try:
        mounts, own = _mounts(), _own_paths()
        hierarchy = _v2(mounts, own) or _v1(mounts, own)
        if hierarchy is None:
            return None
        _remove_orphans(hierarchy)
        # Prove it: one cgroup made, limited and removed.
        RunCgroup(hierarchy, memory_bytes=64 << 20, processes=4).remove()
        return hierarchy
    except (OSError, ValueError):
        return None


def _remove_orphans(hierarchy: Hierarchy) -> None:
    """Remove run cgroups a service that died left behind (named run-<its pid>-...)."""
    for base in set(hierarchy.dirs.values()):
        for name in os.listdir(base):
            parts = name.split("-")
            if len(parts) == 3 and parts[0] == "run" and parts[1].isdigit():
                if not os.path.exists(f"/proc/{parts[1]}"):
                    with contextlib.suppress(OSError):
                        os.rmdir(os.path.join(base, name))


def _counts(text: str) -> dict[str, int]:
    """A flat-keyed cgroup file ("name value" lines) as numbers."""
    pairs = (line.split() for line in text.splitlines())
    return {pair[0]: int(pair[1]) for pair in pairs if len(pair) == 2 and pair[1].isdigit()}


def _write(path: str, value: str) -> None:
    with open(path, "w") as file:
        file.write(value)


def _read(path: str) -> str:
    with open(path) as file:
        return file.read()


class RunCgroup:
    """A cgroup for runs, one at a time: made, capped afresh before each run (`limit`), asked
    how much the current run used, and removed once its processes are gone.

    The cold path makes one per run. A warm slot keeps one for all its runs with its zygote
    inside (runner/launchers/warm.py), so each run is born in it: moving a process into a
    cgroup takes the kernel's cgroup-wide migration lock, which costs an RCU grace period
    (5-20 ms here) whenever it has not been taken for a while, while a fork joins its parent's
    cgroup for nothing. Hence `limit` caps what the group holds *beyond what it holds when the
    run begins*, and the counters (cap hits, CPU time) count from then.
    """

    def __init__(
        self,
        hierarchy: Hierarchy,
        *,
        memory_bytes: int,
        processes: int | None,
    ) -> None:
        self.hierarchy = hierarchy
        name = f"run-{os.getpid()}-{secrets.token_hex(6)}"
        self.dirs = {c: os.path.join(base, name) for c, base in hierarchy.dirs.items()}
        self._made: list[str] = []
        self._processes: int | None = None
        try:
            for path in dict.fromkeys(self.dirs.values()):
                os.mkdir(path, 0o755)
                self._made.append(path)
            if hierarchy.version == 2:
                with contextlib.suppress(OSError):
                    # No swapping past the cap, where the kernel accounts swap.
                    _write(f"{self.dirs['memory']}/memory.swap.max", "0")
            self.limit(memory_bytes, processes)
        except BaseException:
            self.remove()
            raise

    def limit(self, memory_bytes: int, processes: int | None) -> None:
        """Cap the next run: memory_bytes more memory than the group holds now, at most
        `processes` processes in the group, and count cap hits and CPU time from now on."""
        memory, pids = self.dirs["memory"], self.dirs["pids"]
        if self.hierarchy.version == 2:
            held = int(_read(f"{memory}/memory.current"))
            _write(f"{memory}/memory.max", str(held + memory_bytes))
        else:
            held = int(_read(f"{memory}/memory.usage_in_bytes"))
            self._limit_v1(str(held + memory_bytes))
        if processes != self._processes:
            _write(f"{pids}/pids.max", "max" if processes is None else str(processes))
            self._processes = processes
        self._hits_before = self._memory_hits()
        self._cpu_before = self._cpu_used()

    def _limit_v1(self, value: str) -> None:
        memory = self.dirs["memory"]
        try:
            _write(f"{memory}/memory.limit_in_bytes", value)
        except OSError as error:
            # Above the cap with swap, which may never be below it: raise that one first.
            if error.errno != errno.EINVAL:
                raise
            _write(f"{memory}/memory.memsw.limit_in_bytes", value)
            _write(f"{memory}/memory.limit_in_bytes", value)
        with contextlib.suppress(OSError):
            # Swap too, where the kernel accounts it: a run may not swap its way past the cap.
            _write(f"{memory}/memory.memsw.limit_in_bytes", value)

    @property
    def procs_files(self) -> list[str]:
        """The files a process joins by (its pid written to each)."""
        return [os.path.join(path, "cgroup.procs") for path in dict.fromkeys(self.dirs.values())]

    def add(self, pid: int) -> None:
        """Move a process (not yet running the learner's code) into the run's cgroup."""
        for path in self.procs_files:
            _write(path, str(pid))

    def _memory_hits(self) -> tuple[int, int]:
        """How often the group reached its memory cap (the kernel had to reclaim to stay under
        it), and how many of its processes the kernel killed for memory, so far."""
        memory = self.dirs["memory"]
        try:
            if self.hierarchy.version == 2:
                counts = _counts(_read(f"{memory}/memory.events"))
                return counts.get("max", 0), counts.get("oom_kill", 0)
            oom_kills = _counts(_read(f"{memory}/memory.oom_control")).get("oom_kill", 0)
            return int(_read(f"{memory}/memory.failcnt")), oom_kills
        except (OSError, ValueError):
            return 0, 0

    def memory_hit(self) -> bool:
        """Whether the run reached its memory cap: the kernel had to reclaim to stay under it,
        or killed a process of the run (the host then ends the whole run at once, rather than
        wait while the kernel reclaims what little it can)."""
        hits, kills = self._memory_hits()
        hits_before, kills_before = self._hits_before
        return hits > hits_before or kills > kills_before

    def _cpu_used(self) -> float:
        try:
            if self.hierarchy.version == 2:
                for line in _read(f"{self.dirs['cpuacct']}/cpu.stat").splitlines():
                    if line.startswith("usage_usec "):
                        return int(line.split()[1]) / 1e6
                return 0.0
            return int(_read(f"{self.dirs['cpuacct']}/cpuacct.usage")) / 1e9
        except (OSError, ValueError):
            return 0.0

    def cpu_seconds(self) -> float:
        """CPU time every process of the run has used, together."""
        return self._cpu_used() - self._cpu_before

    def pids(self) -> list[int]:
        try:
            return [int(pid) for pid in _read(self.procs_files[0]).split()]
        except OSError:
            return []

    def kill(self) -> None:
        """SIGKILL every process of the run (v2: at once; v1: until none is left)."""
        if self.hierarchy.version == 2:
            with contextlib.suppress(OSError):
                _write(f"{self.dirs['memory']}/cgroup.kill", "1")
                return
        for _ in range(100):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.001)

    def remove(self) -> None:
        """Remove the run's cgroup once its processes are gone (they are killed first)."""
        for path in reversed(self._made):
            for attempt in range(200):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    # Busy: a process still exiting. Kill what is left and try again.
                    if attempt == 0:
                        self.kill()
                    time.sleep(0.005)
        self._made = []
