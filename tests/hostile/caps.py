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
