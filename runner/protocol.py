"""The channel protocol: how every message between the host and the sandbox is framed.

One message is a 4-byte big-endian length, then that many bytes (JSON, UTF-8). It carries the
request (host → run, on stdin or a pipe), the limits frame before it (the cold paths' stdin),
the report (run → host, on the channel fd), and the warm path's orders and answers (host ↔
zygote, on a unix socket, orders with the run's pipes attached as SCM_RIGHTS).

Side-neutral and stdlib only: the host imports it, and the launchers ship its source into the
sandbox with runner/inside/ (see runner/launchers/shipping.py), so both sides frame with this
one module. It never reads or writes anything at import.
"""

from __future__ import annotations

import array
import json
import socket
import struct
import time
from typing import Any

HEADER = struct.Struct(">I")
# The largest message either side accepts (a request holds a learner's source).
MAX_MESSAGE = 16 << 20


def frame(body: bytes) -> bytes:
    """body as one message: its length, then itself."""
    return HEADER.pack(len(body)) + body


def encode(message: dict[str, Any]) -> bytes:
    """A JSON object as one message."""
    return frame(json.dumps(message).encode())


def split(data: bytes, limit: int | None = MAX_MESSAGE) -> tuple[bytes, bytes]:
    """The first message's body in data, and the bytes after it; ValueError if data is short
    or the message longer than limit (None: whatever the reader already capped)."""
    if len(data) < HEADER.size:
        raise ValueError("message too short")
    (size,) = HEADER.unpack_from(data)
    end = HEADER.size + size
    if (limit is not None and size > limit) or end > len(data):
        raise ValueError("message length does not match its header")
    return data[HEADER.size : end], data[end:]


def unframe(data: bytes, limit: int | None = MAX_MESSAGE) -> bytes:
    """The body of data when data is exactly one message, else ValueError."""
    body, rest = split(data, limit)
    if rest:
        raise ValueError("bytes after the message")
    return body


def decode(data: bytes) -> dict[str, Any]:
    """data as exactly one message holding a JSON object, else ValueError."""
    value = json.loads(unframe(data))
    if not isinstance(value, dict):
        raise ValueError("message is not an object")
    return value


def send(sock: socket.socket, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
    """Write one message to a unix socket, with fds attached (SCM_RIGHTS) if any."""
    data = encode(message)
    if not fds:
        sock.sendall(data)
        return
    rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))]
    sent = sock.sendmsg([data], rights)
    if sent < len(data):
        sock.sendall(data[sent:])


def receive(
    sock: socket.socket, max_fds: int = 0, deadline: float | None = None
) -> tuple[dict[str, Any], list[int]]:
    """Read one message (and up to max_fds attached fds) from a unix socket.

    EOFError when the other side has gone before a message began or within one; with a
    deadline (time.monotonic()), TimeoutError once it passes.
    """
    fds = array.array("i")
    _wait_until(sock, deadline)
    data, ancdata, _flags, _addr = sock.recvmsg(
        HEADER.size, socket.CMSG_SPACE(max_fds * fds.itemsize) if max_fds else 0
    )
    if not data:
        raise EOFError
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    data += _receive_exactly(sock, HEADER.size - len(data), deadline)
    (size,) = HEADER.unpack(data)
    if size > MAX_MESSAGE:
        raise ValueError("message too large")
    return json.loads(_receive_exactly(sock, size, deadline)), list(fds)


def _wait_until(sock: socket.socket, deadline: float | None) -> None:
    if deadline is not None:
        sock.settimeout(max(0.001, deadline - time.monotonic()))


def _receive_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks = []
    while size:
        _wait_until(sock, deadline)
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
