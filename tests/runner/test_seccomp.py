"""The seccomp allow-list, read back from the generated BPF for each architecture."""

from __future__ import annotations

import errno
import socket

import pytest

from runner.launchers import seccomp, syscalls
from runner.launchers.seccomp import ALLOW, AUDIT_ARCH, ERRNO, KILL, TABLES

EPERM, ENOSYS = ERRNO | errno.EPERM, ERRNO | errno.ENOSYS
MACHINES = sorted(TABLES)


def answer(machine: str, name: str, arg0: int = 0, shared_memory: bool = False) -> int:
    program = seccomp.encode(seccomp.program(machine, shared_memory))
    return seccomp.emulate(program, AUDIT_ARCH[machine], TABLES[machine][name], arg0)


@pytest.mark.parametrize("machine", MACHINES)
def test_what_python_needs_is_allowed(machine):
    for name in ("read", "write", "openat", "mmap", "futex", "clone", "execve", "close_range"):
        assert answer(machine, name) == ALLOW, name
    for name in syscalls.ALLOWED & set(TABLES[machine]) - {"socket", "socketpair"}:
        assert answer(machine, name) == ALLOW, name


@pytest.mark.parametrize("machine", MACHINES)
@pytest.mark.parametrize(
    "name", ["memfd_secret", "modify_ldt", "kcmp", "move_pages", "mbind", "ptrace", "bpf"]
)
def test_risky_calls_are_refused(machine, name):
    if name not in TABLES[machine]:
        pytest.skip(f"{machine} has no {name}")
    assert answer(machine, name) == EPERM


@pytest.mark.parametrize("machine", MACHINES)
def test_sockets_only_of_the_allowed_families(machine):
    for family in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6):
        assert answer(machine, "socket", family) == ALLOW
        assert answer(machine, "socketpair", family) == ALLOW
    for family in (socket.AF_VSOCK, socket.AF_NETLINK, socket.AF_PACKET, socket.AF_ALG, 0xFFFF):
        assert answer(machine, "socket", family) == EPERM
        assert answer(machine, "socketpair", family) == EPERM


@pytest.mark.parametrize("machine", MACHINES)
def test_shared_memory_only_where_a_cgroup_counts_it(machine):
    for name in ("memfd_create", "shmget"):
        assert answer(machine, name) == EPERM
        assert answer(machine, name, shared_memory=True) == ALLOW


@pytest.mark.parametrize("machine", MACHINES)
def test_clone3_says_enosys_so_the_c_library_uses_clone(machine):
    assert answer(machine, "clone3") == ENOSYS


@pytest.mark.parametrize("machine", MACHINES)
def test_every_unnamed_number_is_refused_and_another_architecture_killed(machine):
    program = seccomp.encode(seccomp.program(machine))
    named = set(TABLES[machine].values())
    plain = syscalls.ALLOWED - {"socket", "socketpair"}
    allowed = {TABLES[machine][name] for name in plain if name in TABLES[machine]}
    for number in range(1024):
        got = seccomp.emulate(program, AUDIT_ARCH[machine], number, socket.AF_UNIX)
        if number in allowed:
            assert got == ALLOW, number
        elif number not in named:
            assert got == EPERM, number
    other = next(arch for name, arch in AUDIT_ARCH.items() if name != machine)
    assert seccomp.emulate(program, other, TABLES[machine]["read"]) == KILL
    assert seccomp.emulate(program, 0x40000003, 0) == KILL  # i386


def test_x32_calls_are_refused_on_x86_64():
    program = seccomp.encode(seccomp.program("x86_64"))
    for number in (0x40000000, 0x40000000 + 39, 0x40000000 + 512):
        assert seccomp.emulate(program, AUDIT_ARCH["x86_64"], number) == EPERM


@pytest.mark.parametrize("machine", MACHINES)
def test_the_disassembly_checks_the_architecture_first_and_jumps_inside(machine):
    program = seccomp.encode(seccomp.program(machine))
    lines = list(seccomp.disassemble(program))
    assert lines[0].split()[1:] == ["ld", "[4]"]
    assert lines[1].split()[1:3] == ["jeq", f"#{AUDIT_ARCH[machine]:#x}"]
    assert lines[2].split()[1:] == ["ret", f"#{KILL:#x}"]
    for line in lines:
        targets = [int(word) for word in line.split()[3:] if word.isdigit()]
        assert all(target < len(lines) for target in targets), line
    assert lines[-1].split()[1] == "ret"
