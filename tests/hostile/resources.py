"""Hostile snippets, part one: processes, memory and CPU, output, disk and the network."""

from __future__ import annotations

from tests.hostile.snippets import ANY_END, Hostile, hostile

RESOURCES: list[Hostile] = [
    # --- processes and threads ---------------------------------------------------------------
    hostile(
        "fork_bomb",
        """
        import os
        while True:
            os.fork()
        """,
        *ANY_END,
    ),
    hostile(
        "fork_bomb_that_keeps_trying",
        """
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
        """,
        *ANY_END,
    ),
    hostile(
        "thread_bomb",
        """
        import threading
        while True:
            threading.Thread(target=threading.Event().wait, daemon=True).start()
        """,
        *ANY_END,
    ),
    # --- memory, CPU, stack ------------------------------------------------------------------
    hostile("memory_one_huge_allocation", "data = bytearray(1 << 40)", "error", "killed"),
    hostile(
        "memory_gradual_growth",
        """
        chunks = []
        while True:
            chunks.append(b"x" * (1 << 20))
        """,
        *ANY_END,
    ),
    hostile(
        "memory_across_many_processes",
        """
        import os, select
        children = []
        for _ in range(7):
            pid = os.fork()
            if pid == 0:
                hold = b"x" * (150 << 20)
                select.select([], [], [], 0.8)
                os._exit(0)
            children.append(pid)
        for pid in children:
            os.waitpid(pid, 0)
        print("HELD 1 GB")
        """,
        "killed",
        never_shows=("HELD 1 GB",),
    ),
    hostile(
        "cpu_loop",
        """
        while True:
            pass
        """,
        "killed",
        "timeout",
    ),
    hostile(
        "deep_recursion",
        """
        def down(n):
            return down(n + 1)

        down(0)
        """,
        "error",
    ),
    hostile(
        "deep_recursion_past_the_c_stack",
        """
        import sys
        sys.setrecursionlimit(10**8)

        def down(n):
            return down(n + 1)

        down(0)
        """,
        *ANY_END,
    ),
    hostile(
        "sleep_forever_ignoring_sigterm",
        """
        import os, signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        read_end, write_end = os.pipe()
        os.read(read_end, 1)
        """,
        # The wall limit (1 s here) or, a moment later, the runner's own watch for waits
        # on the outside world (deadlock_real_wait): either way the run and its child end.
        "timeout",
        "deadlock",
    ),
    hostile(
        "child_sleeps_forever_ignoring_sigterm",
        """
        import os, signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        read_end, write_end = os.pipe()
        if os.fork() == 0:
            os.read(read_end, 1)
        os.read(read_end, 1)
        """,
        # The wall limit (1 s here) or, a moment later, the runner's own watch for waits
        # on the outside world (deadlock_real_wait): either way the run and its child end.
        "timeout",
        "deadlock",
    ),
    # --- output ------------------------------------------------------------------------------
    hostile(
        "huge_stdout",
        """
        while True:
            print("x" * 100)
        """,
        "output_limit",
    ),
    hostile(
        "huge_stderr",
        """
        import sys
        while True:
            print("y" * 100, file=sys.stderr)
        """,
        "output_limit",
    ),
    hostile(
        "endless_line_without_newline",
        """
        import sys
        while True:
            sys.stdout.write("z" * 100)
        """,
        "output_limit",
    ),
    hostile(
        "raw_writes_to_fd_1",
        """
        import os
        while True:
            os.write(1, b"w" * 4096)
        """,
        "output_limit",
    ),
    # --- disk --------------------------------------------------------------------------------
    hostile(
        "tmp_one_big_file",
        """
        with open("/tmp/CANARY-big", "wb") as f:
            f.write(b"0" * (256 << 20))
        """,
        "error",
    ),
    hostile(
        "tmp_fill_with_large_files",
        """
        for i in range(1000):
            with open(f"/tmp/CANARY-{i}", "wb") as f:
                f.write(b"0" * ((1 << 20) - 1))
        """,
        "error",
    ),
    hostile(
        "tmp_many_small_files",
        """
        for i in range(200000):
            open(f"/tmp/CANARY-{i}", "w").close()
        """,
        *ANY_END,
    ),
    hostile(
        "dev_shm_fill",
        """
        for i in range(1000):
            with open(f"/dev/shm/CANARY-{i}", "wb") as f:
                f.write(b"0" * ((1 << 20) - 1))
        """,
        "error",
    ),
    # --- network -----------------------------------------------------------------------------
    hostile(
        "postgres_on_loopback",
        """
        import socket
        socket.create_connection(("127.0.0.1", 5432), timeout=1)
        print("CONNECTED")
        """,
        "error",
        never_shows=("CONNECTED",),
    ),
    hostile(
        "redis_on_loopback",
        """
        import socket
        connection = socket.create_connection(("127.0.0.1", 6379), timeout=1)
        connection.sendall(b"FLUSHALL\\r\\n")
        print("CONNECTED")
        """,
        "error",
        never_shows=("CONNECTED",),
    ),
    hostile(
        "host_listener_on_loopback",
        """
        import socket
        socket.create_connection(("127.0.0.1", HOST_TCP_PORT), timeout=1)
        print("CONNECTED")
        """,
        "error",
        never_shows=("CONNECTED",),
    ),
    hostile(
        "outside_address",
        """
        import socket
        socket.create_connection(("192.0.2.1", 80), timeout=1)
        print("CONNECTED")
        """,
        "error",
        never_shows=("CONNECTED",),
    ),
    hostile(
        "dns_lookup",
        """
        import socket
        print("RESOLVED", socket.getaddrinfo("example.com", 80))
        """,
        "error",
        never_shows=("RESOLVED",),
    ),
    hostile(
        "udp_to_host_and_outside",
        """
        import socket
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.sendto(b"CANARY", ("127.0.0.1", HOST_UDP_PORT))
        udp.sendto(b"CANARY", ("8.8.8.8", 53))
        print("SENT OUTSIDE")
        """,
        "error",
        never_shows=("SENT OUTSIDE",),
    ),
    hostile(
        "unix_sockets",
        """
        import socket
        reached = []
        for address in ("HOST_UNIX_PATH", "\\0HOST_ABSTRACT", "/run/postgresql/.s.PGSQL.5432",
                        "/var/run/docker.sock", "/run/systemd/private"):
            try:
                socket.socket(socket.AF_UNIX).connect(address)
                reached.append(address)
            except OSError:
                pass
        print("REACHED", reached) if reached else print("none reached")
        """,
        "ok",
        shows=("none reached",),
    ),
    hostile(
        "raw_packet_socket",
        """
        import socket
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        print("RAW")
        """,
        "error",
        never_shows=("RAW",),
    ),
]
