"""What one run may use, and the rlimits the sandboxed side applies for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one run may use. `processes` is per uid, so only sandboxes with their own uid apply
    it; the process launcher shares the service's uid and leaves it unset."""

    cpu_seconds: int = 5
    address_space_bytes: int = 1 << 30
    file_size_bytes: int = 1 << 20
    open_files: int = 64
    processes: int = 32
    wall_seconds: float = 10.0
    output_bytes: int = 64 * 1024


def rlimits(limits: Limits, *, per_uid: bool = True) -> dict[str, int | None]:
    """The rlimits the sandboxed side applies to a run (runner/inside/limits.py), by name.

    Without a uid of its own (per_uid False) the run gets no process limit: RLIMIT_NPROC counts
    every process of the uid, the service's own included.
    """
    return {
        "cpu_seconds": limits.cpu_seconds,
        "address_space_bytes": limits.address_space_bytes,
        "file_size_bytes": limits.file_size_bytes,
        "open_files": limits.open_files,
        "processes": limits.processes if per_uid else None,
    }
