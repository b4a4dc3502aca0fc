"""One run's memory, process and CPU-time caps, for the bubblewrap launchers.

Where a cgroup can be had (runner/cgroups.py) the kernel caps the run's memory (page cache,
shared memory and memfds included) and process count, and counts its CPU time across all its
processes; otherwise the host adds up the run's processes' proportional memory and CPU time
from /proc every WATCH_SECONDS (runner/procfs.py). Either way, a run over its memory or CPU
time is killed whole and its verdict says `killed` with the cap it hit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runner import cgroups
from runner.cgroups import RunCgroup
from runner.limits import Limits
from runner.messages import message
from runner.procfs import cpu_seconds, resident_bytes, tree


def accounting() -> str:
    """How runs' memory is capped here, as the verdict's `sandbox` field adds it."""
    hierarchy = cgroups.available()
    return hierarchy.kind if hierarchy else "memory sampled"


class RunCaps:
    """The caps of one run: made before the run's first process starts, closed after it.

    extra: processes the run's cgroup holds that are not the run's (a sandbox's init, say).
    cgroup: the cgroup the run will be born in (a warm slot's, kept across its runs); else,
    where cgroups can be had, one is made for this run alone and removed by close().
    """

    def __init__(self, limits: Limits, *, extra: int = 0, cgroup: RunCgroup | None = None) -> None:
        self.limits = limits
        self.root: Callable[[], int | None] = lambda: None
        processes = limits.processes + extra if limits.processes is not None else None
        self._own = False
        self.cgroup = cgroup
        if cgroup is not None:
            cgroup.limit(limits.address_space_bytes, processes)
        elif (hierarchy := cgroups.available()) is not None:
            self._own = True
            self.cgroup = RunCgroup(
                hierarchy,
                memory_bytes=limits.address_space_bytes,
                processes=processes,
            )

    def overspent(self) -> str | None:
        """ "memory" or "cpu" once the run has gone over either; None while it has not."""
        if self.cgroup is not None:
            if self.cgroup.memory_hit():
                return "memory"
            used = self.cgroup.cpu_seconds()
        else:
            root = self.root()
            if root is None:
                return None
            pids = tree(root)
            if resident_bytes(pids) > self.limits.address_space_bytes:
                return "memory"
            used = cpu_seconds(pids)
        return "cpu" if used > self.limits.cpu_seconds else None

    def kill(self) -> None:
        """Kill every process of a cgroup made for this run alone."""
        if self._own and self.cgroup is not None:
            self.cgroup.kill()

    def verdict(self, spent: str | None) -> tuple[str | None, dict[str, Any] | None]:
        """Outcome.killed and its message, once the run has ended (spent: what the watch saw)."""
        if self.cgroup is not None and self.cgroup.memory_hit():
            spent = "memory"
        if spent == "memory":
            limit = f"{self.limits.address_space_bytes / (1 << 20):g} MiB"
            return "memory", message("killed_memory_limit", limit=limit)
        if spent == "cpu":
            return "cpu", message("killed_cpu_total", seconds=f"{self.limits.cpu_seconds:g}")
        return None, None

    def close(self) -> None:
        if self._own and self.cgroup is not None:
            self.cgroup.remove()
