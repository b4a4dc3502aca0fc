"""Waits on the outside world (sockets, select, a C lock) end after a second without progress.

The virtual clock cannot see them: a thread blocked in recv() or select() runs, as far as the
clock knows. Nothing in the sandbox will ever answer it, so rather than holding its slot until
the wall limit (10 s), the run ends as a deadlock naming the line, once the program has neither
used CPU nor moved the clock for REAL_WAIT_SECONDS. Real I/O that makes progress is unaffected.
"""

from __future__ import annotations

import pytest

from tests.runner.conftest import kinds


def real_wait_events(verdict: dict) -> list[dict]:
    return [e for e in verdict["events"] if e["message"]["code"] == "deadlock_real_wait"]


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("print(a.recv(1))", 5),
        ("print(select.select([a], [], []))", 5),
        ("lock = threading.Lock()\nlock.acquire()\nlock.acquire()", 7),
    ],
    ids=["recv", "select", "c-lock"],
)
def test_a_wait_nothing_will_answer_ends_as_a_deadlock_at_its_line(run, body, line) -> None:
    source = "import select, socket, threading\n\na, b = socket.socketpair()\nprint('waiting')\n"
    verdict = run(source + body + "\nprint('never')\n")
    assert verdict["status"] == "deadlock"
    assert verdict["stdout"] == "waiting\n"
    (event,) = real_wait_events(verdict)
    assert event["line"] == line
    assert event["message"]["params"]["thread"] == "MainThread"


def test_a_thread_stuck_on_a_socket_is_named_when_the_main_thread_joins_it(run) -> None:
    verdict = run(
        """\
        import socket
        import threading

        a, b = socket.socketpair()

        def listen():
            a.recv(1)

        worker = threading.Thread(target=listen, name="listener")
        worker.start()
        worker.join()
        """
    )
    assert verdict["status"] == "deadlock"
    assert kinds(verdict) == ["deadlock"]
    assert verdict["events"][0]["line"] == 7


def test_an_event_loop_waiting_on_a_socket_ends_as_a_deadlock(run) -> None:
    verdict = run(
        """\
        import asyncio
        import socket

        async def main():
            a, b = socket.socketpair()
            a.setblocking(False)
            await asyncio.get_running_loop().sock_recv(a, 1)

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "deadlock"
    assert [e["line"] for e in verdict["events"]] == [7]


def test_real_loopback_io_that_makes_progress_still_works(run) -> None:
    verdict = run(
        """\
        import asyncio

        async def handle(reader, writer):
            while line := await reader.readline():
                writer.write(line.upper())
                await writer.drain()
            writer.close()

        async def main():
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for word in ["one", "two", "three"]:
                writer.write(word.encode() + b"\\n")
                await writer.drain()
                print((await reader.readline()).decode().strip())
                await asyncio.sleep(1)
            writer.close()
            await writer.wait_closed()
            server.close()
            await server.wait_closed()

        asyncio.run(main())
        """
    )
    assert verdict["status"] == "ok", verdict["stderr"]
    assert verdict["stdout"] == "ONE\nTWO\nTHREE\n"
    assert verdict["virtual_seconds"] == 3.0


def test_blocking_socket_io_between_threads_still_works(run) -> None:
    verdict = run(
        """\
        import socket
        import threading

        a, b = socket.socketpair()

        def echo():
            while data := b.recv(100):
                b.sendall(data[::-1])

        threading.Thread(target=echo, daemon=True).start()
        for word in ["abc", "xyz"]:
            a.sendall(word.encode())
            print(a.recv(100).decode())
        """
    )
    assert verdict["status"] == "ok", verdict["stderr"]
    assert verdict["stdout"] == "cba\nzyx\n"


def test_waiting_for_a_child_process_that_computes_is_progress(run) -> None:
    verdict = run(
        """\
        import subprocess
        import sys

        code = "import time\\nend = time.process_time() + 1.5\\n"
        code += "while time.process_time() < end: pass\\nprint('done')"
        print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        """
    )
    assert verdict["status"] == "ok", verdict["stderr"]
    assert verdict["stdout"] == "done\n\n"
