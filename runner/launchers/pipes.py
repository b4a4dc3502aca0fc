"""Read a sandboxed run's stdout, stderr and channel pipes under an output cap and a deadline."""

from __future__ import annotations

import os
import selectors
import time
from collections.abc import Callable
from dataclasses import dataclass

# The channel carries the harness's observations; a run that floods it is corrupt anyway.
CHANNEL_BYTES = 32 << 20
# After a kill, every writer is dead within milliseconds; this bounds a wait that should not happen.
DRAIN_SECONDS = 2.0
# How often a run that is still going is asked whether it overspent (its memory, say).
WATCH_SECONDS = 0.05


@dataclass
class Collected:
    """What came out of one run's pipes."""

    stdout: bytes
    stderr: bytes
    channel: bytes
    output_truncated: bool
    timed_out: bool
    # What overspent() named when it had the run killed ("memory", "cpu"), else None.
    overspent: str | None = None


def collect(
    stdout_fd: int,
    stderr_fd: int,
    channel_fd: int,
    *,
    output_bytes: int,
    deadline: float,
    kill: Callable[[], None],
    overspent: Callable[[], str | None] | None = None,
) -> Collected:
    """Read the three pipes (closing them) until every writer is gone.

    stdout and stderr together keep at most output_bytes; past that, past the deadline
    (time.monotonic()), or once overspent() (asked every WATCH_SECONDS) names what the run
    overspent ("memory", "cpu"), the run is
    killed through kill() (called at most once) and the pipes are drained to their end so
    nothing the run wrote is left blocking.
    """
    names = {stdout_fd: "stdout", stderr_fd: "stderr", channel_fd: "channel"}
    chunks: dict[str, list[bytes]] = {"stdout": [], "stderr": [], "channel": []}
    output_left = output_bytes
    channel_left = CHANNEL_BYTES
    truncated = timed_out = killed = False
    spent: str | None = None
    watch_at = time.monotonic() + WATCH_SECONDS
    selector = selectors.DefaultSelector()
    for fd in names:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    try:
        while selector.get_map():
            now = time.monotonic()
            if not killed and now >= deadline:
                timed_out = killed = True
                kill()
                deadline = now + DRAIN_SECONDS
            elif killed and now >= deadline:
                raise RuntimeError("sandboxed run kept its pipes open after being killed")
            elif overspent is not None and not killed and now >= watch_at:
                watch_at = now + WATCH_SECONDS
                spent = overspent()
                if spent:
                    killed = True
                    kill()
                    deadline = now + DRAIN_SECONDS
            wake = deadline if killed or overspent is None else min(deadline, watch_at)
            for key, _ in selector.select(max(0.0, wake - now)):
                fd = key.fd
                try:
                    data = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(fd)
                    continue
                name = names[fd]
                if name == "channel":
                    keep = data[:channel_left]
                    channel_left -= len(keep)
                    over = len(keep) < len(data)
                else:
                    keep = data[:output_left]
                    output_left -= len(keep)
                    over = len(keep) < len(data)
                    truncated = truncated or over
                chunks[name].append(keep)
                if over and not killed:
                    killed = True
                    kill()
                    deadline = time.monotonic() + DRAIN_SECONDS
    finally:
        selector.close()
        for fd in names:
            os.close(fd)
    return Collected(
        stdout=b"".join(chunks["stdout"]),
        stderr=b"".join(chunks["stderr"]),
        channel=b"".join(chunks["channel"]),
        output_truncated=truncated,
        timed_out=timed_out,
        overspent=spent,
    )
