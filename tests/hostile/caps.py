"""Hostile snippets that the kernel's caps per run hold (runner/cgroups.py), whatever the load:
memory hidden from /proc's resident sizes, and CPU time spread over many processes.

Stdlib only (tests/hostile/ordinary_user.py runs it too).
"""

from __future__ import annotations

from runner.limits import Limits

# A wall limit far beyond what the caps need: a run must end by its cap, not by the clock,
# however busy the machine.
CAP_LIMITS = Limits(cpu_seconds=1, wall_seconds=60.0, address_space_bytes=512 << 20)

# Three children each hold 450 MiB in memfds kept alive only by one-page shared mappings (fds
# closed): page cache, not resident memory, so adding up /proc's sizes saw 53 MiB of 1.35 GiB.
MEMFD_HOARD = """\
import ctypes, os, select
libc = ctypes.CDLL(None)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [
    ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long
]
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        chunk = b"x" * (1 << 20)
        for _ in range(450):
            fd = os.memfd_create("hold")
            os.write(fd, chunk)
            libc.mmap(None, 4096, 1, 1, fd, 0)
            os.close(fd)
        select.select([], [], [], 3600)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print("HELD 1.35 GiB")
"""

# Four children spin, each stopping just short of its own CPU limit (one second each): four
# CPU-seconds for the run, which may spend one.
CPU_SPREAD = """\
import os, resource
children = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        while resource.getrusage(resource.RUSAGE_SELF).ru_utime < 0.9:
            pass
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print("SPENT 3.6 CPU-SECONDS")
"""

# Calls the seccomp allow-list refuses although namespaces and capabilities would let them
# through (AF_VSOCK reaches the hypervisor on some kernels), by number on each architecture.
REFUSED_CALLS = """\
import ctypes, errno, os, socket
libc = ctypes.CDLL(None, use_errno=True)
numbers = {
    "x86_64": {
        "memfd_secret": 447, "modify_ldt": 154, "kcmp": 312, "move_pages": 279, "mbind": 237
    },
    "aarch64": {"memfd_secret": 447, "kcmp": 272, "move_pages": 239, "mbind": 235},
}[os.uname().machine]
answered = []
for name, number in numbers.items():
    if libc.syscall(number, 0, 0, 0, 0, 0) != -1 or ctypes.get_errno() != errno.EPERM:
        answered.append(name)
for family in (socket.AF_VSOCK, socket.AF_NETLINK, socket.AF_PACKET):
    try:
        socket.socket(family, socket.SOCK_DGRAM).close()
        answered.append(family)
    except PermissionError:
        pass
print("refused" if not answered else f"ANSWERED {answered}")
"""

# Sockets on `lo`, a subprocess, threads and an executor: what asyncio programs use.
ASYNCIO_NEEDS = """\
import asyncio, sys

async def main():
    async def echo(reader, writer):
        writer.write(await reader.read(10))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname())
    writer.write(b"hello")
    print("served", len(await reader.read(10)))
    server.close()
    loop = asyncio.get_running_loop()
    results = await asyncio.gather(*(loop.run_in_executor(None, len, "x" * n) for n in range(5)))
    print("threads", len(results))

asyncio.run(main())
"""
