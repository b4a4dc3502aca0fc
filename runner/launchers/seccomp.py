"""The seccomp filter every run is confined by: a deny list of system calls, x86_64 only.

Built on the host; the cold path hands it to bubblewrap (--seccomp), the warm path passes it to
the zygote in its settings, and the zygote loads it into each run.
"""

from __future__ import annotations

import errno
import os
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000
# x86_64 system calls a learner's program has no use for, and among the kernel's riskiest
# surfaces (io_uring, bpf, perf, userfaultfd, keys) or ways around the sandbox: refused with
# EPERM even where capabilities or namespaces would already refuse them.
DENIED_SYSCALLS = {
    "ptrace": 101,
    "syslog": 103,
    "personality": 135,
    "pivot_root": 155,
    "chroot": 161,
    "acct": 163,
    "mount": 165,
    "umount2": 166,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "init_module": 175,
    "delete_module": 176,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "unshare": 272,
    "perf_event_open": 298,
    "fanotify_init": 300,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "finit_module": 313,
    "kexec_file_load": 320,
    "bpf": 321,
    "userfaultfd": 323,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
}


def seccomp_filter() -> bytes:
    """A classic-BPF seccomp program refusing DENIED_SYSCALLS (and the x32 ABI) with EPERM and
    killing a process that calls in through another architecture; b"" off x86_64.

    """
    if os.uname().machine != "x86_64":
        return b""
    load, jump_eq, jump_ge, ret = 0x20, 0x15, 0x35, 0x06
    allow, refuse, kill = 0x7FFF0000, 0x00050000 | errno.EPERM, 0x80000000
    numbers = sorted(DENIED_SYSCALLS.values())
    count = len(numbers)
    program = [
        (load, 0, 0, 4),  # seccomp_data.arch
        (jump_eq, 1, 0, AUDIT_ARCH_X86_64),
        (ret, 0, 0, kill),
        (load, 0, 0, 0),  # seccomp_data.nr
        (jump_ge, count + 1, 0, X32_SYSCALL_BIT),
    ]
    # Instruction i (0-based among the comparisons) jumps over the rest and the allow to refuse.
    program += [(jump_eq, count - i, 0, number) for i, number in enumerate(numbers)]
    program += [(ret, 0, 0, allow), (ret, 0, 0, refuse)]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
