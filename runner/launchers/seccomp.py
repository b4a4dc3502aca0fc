"""The seccomp filter every run is confined by: an allow-list of system calls and socket
families, for x86_64 and aarch64, generated here as classic BPF.

Built on the host; the cold path hands it to bubblewrap (--seccomp), the warm path passes it to
the zygote in its settings, and the zygote loads it into each run. Only the calls in
syscalls.ALLOWED pass (shared memory, syscalls.SHARED_MEMORY, only where a cgroup counts it);
socket() and socketpair() only for AF_UNIX, AF_INET and AF_INET6 (the run's own network
namespace holds nothing but `lo`); clone3 answers ENOSYS so the C library falls back to
clone; everything else (the x32 ABI's calls included) answers EPERM; a call through another
architecture (i386 on x86_64, say) kills the process. disassemble() and emulate() read a
program back, for tests.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
from collections.abc import Iterator

from runner.launchers import syscalls

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
TABLES = {"x86_64": syscalls.X86_64, "aarch64": syscalls.AARCH64}
X32_SYSCALL_BIT = 0x40000000
FAMILIES = (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6)

# Classic BPF, as seccomp runs it.
LD_W_ABS, JEQ, JGE, JA, RET = 0x20, 0x15, 0x35, 0x05, 0x06
ALLOW = 0x7FFF0000
KILL = 0x80000000  # SECCOMP_RET_KILL_PROCESS
ERRNO = 0x00050000
# seccomp_data: nr at 0, arch at 4, args at 16 (8 bytes each; the low half first here).
NR, ARCH, ARG0 = 0, 4, 16

Instruction = tuple[int, int, int, int]


def rules(machine: str, shared_memory: bool) -> dict[int, str]:
    """What the filter does with each system call number it names: "allow", "socket" (allow
    for FAMILIES only) or "enosys"; every other number is refused with EPERM."""
    table = TABLES[machine]
    allowed = syscalls.ALLOWED | (syscalls.SHARED_MEMORY if shared_memory else frozenset())
    named = {number: "allow" for name, number in table.items() if name in allowed}
    for name in ("socket", "socketpair"):
        named[table[name]] = "socket"
    named[table["clone3"]] = "enosys"
    return named


def _leaf(action: str) -> list[Instruction]:
    if action == "allow":
        return [(RET, 0, 0, ALLOW)]
    if action == "enosys":
        return [(RET, 0, 0, ERRNO | errno.ENOSYS)]
    if action == "eperm":
        return [(RET, 0, 0, ERRNO | errno.EPERM)]
    # socket(domain, ...) and socketpair(domain, ...): the domain is an int, its low half.
    code: list[Instruction] = [(LD_W_ABS, 0, 0, ARG0)]
    for index, family in enumerate(FAMILIES):
        code.append((JEQ, len(FAMILIES) - index, 0, int(family)))
    return code + [(RET, 0, 0, ERRNO | errno.EPERM), (RET, 0, 0, ALLOW)]


def _tree(ranges: list[tuple[int, str]]) -> list[Instruction]:
    """A binary search over ranges (start, action), each up to the next one's start."""
    if len(ranges) == 1:
        return _leaf(ranges[0][1])
    middle = len(ranges) // 2
    low, high = _tree(ranges[:middle]), _tree(ranges[middle:])
    # nr >= the middle start: jump over the low half (ja takes a 32-bit offset, jt only 8).
    return [(JGE, 0, 1, ranges[middle][0]), (JA, 0, 0, len(low)), *low, *high]


def program(machine: str | None = None, shared_memory: bool = False) -> list[Instruction]:
    """The filter's instructions for machine (os.uname().machine by default)."""
    machine = machine or os.uname().machine
    named = rules(machine, shared_memory)
    ranges: list[tuple[int, str]] = []
    for number in sorted(named):
        for start, action in ((number, named[number]), (number + 1, "eperm")):
            if ranges and ranges[-1][0] == start:
                ranges[-1] = (start, action)
            elif not ranges or ranges[-1][1] != action:
                ranges.append((start, action))
    if ranges[0][0] != 0:
        ranges.insert(0, (0, "eperm"))
    merged: list[tuple[int, str]] = []
    for start, action in ranges:
        if not merged or merged[-1][1] != action:
            merged.append((start, action))
    ranges = merged
    head: list[Instruction] = [
        (LD_W_ABS, 0, 0, ARCH),
        (JEQ, 1, 0, AUDIT_ARCH[machine]),
        (RET, 0, 0, KILL),
        (LD_W_ABS, 0, 0, NR),
    ]
    if machine == "x86_64":
        # The x32 ABI's numbers have this bit set; none of them is allowed.
        head += [(JGE, 0, 1, X32_SYSCALL_BIT), (RET, 0, 0, ERRNO | errno.EPERM)]
    return head + _tree(ranges)


def seccomp_filter(shared_memory: bool = False) -> bytes:
    """The filter for this machine, as bubblewrap and prctl take it; b"" on an architecture
    without a table (the sandbox then has no filter, which its namespaces still contain)."""
    if os.uname().machine not in TABLES:
        return b""
    return encode(program(shared_memory=shared_memory))


def encode(instructions: list[Instruction]) -> bytes:
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in instructions)


def decode(data: bytes) -> list[Instruction]:
    return [struct.unpack_from("=HBBI", data, offset) for offset in range(0, len(data), 8)]


def disassemble(data: bytes) -> Iterator[str]:
    """The program as text, one instruction a line."""
    names = {LD_W_ABS: "ld", JEQ: "jeq", JGE: "jge", JA: "ja", RET: "ret"}
    for index, (code, jt, jf, k) in enumerate(decode(data)):
        name = names.get(code, f"op{code:#x}")
        if code in (JEQ, JGE):
            yield f"{index:4} {name} #{k:#x} jt {index + 1 + jt} jf {index + 1 + jf}"
        elif code == JA:
            yield f"{index:4} ja {index + 1 + k}"
        elif code == LD_W_ABS:
            yield f"{index:4} ld [{k}]"
        else:
            yield f"{index:4} ret #{k:#x}"


def emulate(data: bytes, arch: int, nr: int, arg0: int = 0) -> int:
    """What the program returns for one system call: run it as the kernel would."""
    instructions = decode(data)
    fields = {ARCH: arch, NR: nr, ARG0: arg0 & 0xFFFFFFFF}
    accumulator, pc = 0, 0
    while True:
        code, jt, jf, k = instructions[pc]
        pc += 1
        if code == LD_W_ABS:
            accumulator = fields[k]
        elif code == JEQ:
            pc += jt if accumulator == k else jf
        elif code == JGE:
            pc += jt if accumulator >= k else jf
        elif code == JA:
            pc += k
        elif code == RET:
            return k
        else:
            raise ValueError(f"unknown instruction {code:#x} at {pc - 1}")
