"""Memory a set of processes holds, read from /proc.

Side-neutral and stdlib only: the host's cold launcher and the zygote inside the sandbox both
add up a run's memory with it (runner/launchers/shipping.py ships it in).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes(pids: Iterable[int]) -> int:
    """Memory the processes hold in RAM, together (pages shared after fork count for each)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1])
        except (OSError, IndexError, ValueError):
            pass  # It ended meanwhile.
    return total * PAGE_SIZE
