"""The rlimits a run takes before the learner's program starts (names from runner/limits.py)."""

from __future__ import annotations

import resource

RLIMITS = {
    "cpu_seconds": resource.RLIMIT_CPU,
    "address_space_bytes": resource.RLIMIT_AS,
    "file_size_bytes": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
    "processes": resource.RLIMIT_NPROC,
}


def apply_limits(limits: dict[str, int | None]) -> None:
    """No core files, and each named limit that is set (None leaves it as it is)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for key, which in RLIMITS.items():
        value = limits.get(key)
        if value is None:
            continue
        # The CPU limit's soft edge sends SIGXCPU, the hard one a second later SIGKILL.
        hard = value + 1 if key == "cpu_seconds" else value
        resource.setrlimit(which, (value, hard))
