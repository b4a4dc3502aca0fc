"""Memory and CPU time a set of processes uses, read from /proc.

Side-neutral and stdlib only: the host's launchers and the zygote inside the sandbox both
add up a run's memory with it (runner/launchers/shipping.py ships it in). Where the kernel caps
a run (runner/cgroups.py), these are only the fallback.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def resident_bytes(pids: Iterable[int]) -> int:
    """Memory the processes hold, together: each one's proportional share (Pss, from
    smaps_rollup), so pages shared between them count once in all, shared memory and mapped
    memfds included; resident pages (statm) where smaps_rollup cannot be read."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
                for line in rollup:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            continue
        except (OSError, IndexError, ValueError):
            pass
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            pass  # It ended meanwhile.
    return total


def cpu_seconds(pids: Iterable[int]) -> float:
    """CPU time the processes and their reaped children have used, together."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            # utime, stime, cutime, cstime (fields 14 to 17 of proc(5)).
            ticks += sum(int(value) for value in fields[11:15])
        except (OSError, IndexError, ValueError):
            pass
    return ticks / TICKS


def children(pid: int) -> list[int]:
    """The pid's children (every thread's), as this /proc sees them."""
    found: list[int] = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for thread in threads:
        try:
            with open(f"/proc/{pid}/task/{thread}/children") as listing:
                found += [int(child) for child in listing.read().split()]
        except (OSError, ValueError):
            pass
    return found


def tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack += children(current)
    return found
