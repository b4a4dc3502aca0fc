"""Hostile snippets, part three: runs that try to make their verdict unbounded or unstorable.

Every verdict of the catalogue is also checked to be storable and at most 256 KiB of JSON
(tests/hostile/snippets.py, problems()).
"""

from __future__ import annotations

from tests.hostile.snippets import Hostile, hostile

# 1,000 tasks with 25 KB names: a 25 MB report (and once a 25 MB verdict). Writing it takes the
# harness longer than the catalogue's one-second wall limit on a busy machine, so it runs alone
# with the default limits (tests/hostile/test_verdict_bounds.py).
LONG_NAMES = hostile(
    "a_thousand_tasks_with_25_kb_names",
    """
    import asyncio

    async def main():
        loop = asyncio.get_running_loop()
        tasks = [
            loop.create_task(asyncio.sleep(1), name=f"{i}-" + "x" * 25_000) for i in range(1000)
        ]
        await asyncio.gather(*tasks)
        print("all done")

    asyncio.run(main())
    """,
    "ok",
    shows=("all done",),
    names=("0-xxxxxxxx",),
)

VERDICTS: list[Hostile] = [
    hostile(
        "nested_brackets_on_the_channel",
        """
        import os
        body = b"[" * 100_000
        for fd in range(3, 1024):
            try:
                os.write(fd, len(body).to_bytes(4, "big") + body)
            except OSError:
                pass
        os._exit(0)
        """,
        "error",
    ),
    hostile(
        "lone_surrogate_in_a_task_name_and_nul_in_the_output",
        """
        import asyncio, sys

        async def main():
            await asyncio.get_running_loop().create_task(asyncio.sleep(1), name="bad\\ud800name")
            sys.stdout.write("nul\\x00here\\n")
            sys.stderr.write("and\\x00there\\n")

        asyncio.run(main())
        """,
        "ok",
        shows=("nul\\0here",),
        names=("bad\ufffdname",),
    ),
    hostile(
        "a_huge_exception_message",
        """
        raise ValueError("\\x00" * 500_000)
        """,
        "error",
        "output_limit",
    ),
]

# Runs of one warm slot once shared its network namespace: the next run could read the ports
# of this one's TIME_WAIT sockets from /proc/self/net/tcp (a covert channel between learners).
NETWORK_LEFTOVERS = hostile(
    "time_wait_sockets_left_for_the_next_run",
    """
    import socket
    server = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(server.getsockname())
    accepted, _ = server.accept()
    accepted.close()  # the side that closes first keeps the TIME_WAIT entry
    client.close()
    server.close()
    print("left", len(open("/proc/self/net/tcp").read().splitlines()) - 1)
    """,
    "ok",
    shows=("left 1",),
    then="""
    lines = open("/proc/self/net/tcp").read().splitlines()[1:]
    lines += open("/proc/self/net/tcp6").read().splitlines()[1:]
    print("CLEAN" if not lines else f"{len(lines)} sockets of an earlier run")
    """,
)
VERDICTS.append(NETWORK_LEFTOVERS)
