"""Hostile snippets, part two: reading and writing the host, privileges, signals, traces left
behind, crashes, and forging the verdict."""

from __future__ import annotations

from tests.hostile.snippets import ENV_ALLOWED, Hostile, hostile

ESCAPES: list[Hostile] = [
    # --- reading the host --------------------------------------------------------------------
    hostile(
        "read_host_files",
        """
        import os
        read = []
        for path in ("/etc/shadow", "/etc/passwd", "REPO/quiz/settings.py", "REPO/db.sqlite3",
                     "REPO/.env", "/root/.bash_history", "/home", "/work", "/sys/kernel",
                     "/proc/kcore", "/var/lib/postgresql"):
            try:
                if os.path.isdir(path):
                    read.append((path, os.listdir(path)))
                else:
                    read.append((path, open(path, "rb").read(100)))
            except OSError:
                pass
        print("READ", read) if read else print("nothing readable")
        """,
        "ok",
        shows=("nothing readable",),
    ),
    hostile(
        "proc_environ_of_every_process",
        """
        import os
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    print(pid, open(f"/proc/{pid}/environ", "rb").read())
                except OSError as error:
                    print(pid, error)
        """,
        "ok",
    ),
    hostile(
        "environment_secrets",
        f"""
        import os
        print(dict(os.environ))
        extra = set(os.environ) - set({sorted(ENV_ALLOWED)!r})
        print("EXTRA", extra) if extra else print("env clean")
        """,
        "ok",
        shows=("env clean",),
    ),
    hostile(
        "no_other_process_visible",
        """
        import os
        others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
        print("OTHERS", others) if others else print("alone")
        """,
        "ok",
        shows=("alone",),
    ),
    # --- writing outside /tmp ----------------------------------------------------------------
    hostile(
        "write_outside_tmp",
        """
        written = []
        for path in ("/CANARY", "/usr/lib/CANARY", "/dev/CANARY", "/run/CANARY",
                     "/proc/CANARY", "/run/loopdeck/runner.bundle", "/usr/bin/python3",
                     "REPO/CANARY", "/root/CANARY"):
            try:
                with open(path, "a") as f:
                    f.write("CANARY")
                written.append(path)
            except OSError:
                pass
        print("WROTE", written) if written else print("nothing written")
        """,
        "ok",
        shows=("nothing written",),
    ),
    hostile(
        "mkdir_and_symlink_outside_tmp",
        """
        import os
        made = []
        for make in (lambda: os.mkdir("/CANARY"), lambda: os.symlink("/etc", "/usr/CANARY"),
                     lambda: os.mkdir("/dev/shm/../CANARY")):
            try:
                make()
                made.append(make)
            except OSError:
                pass
        print("MADE", len(made)) if made else print("nothing made")
        """,
        "ok",
        shows=("nothing made",),
    ),
    # --- privileges --------------------------------------------------------------------------
    hostile(
        "capabilities",
        """
        status = open("/proc/self/status").read()
        caps = {line.split(":")[0]: int(line.split()[1], 16)
                for line in status.splitlines() if line.startswith("Cap")}
        print("no capabilities") if not any(caps.values()) else print("CAPS", caps)
        print("no_new_privs" if "NoNewPrivs:\\t1" in status else "NEW PRIVS ALLOWED")
        """,
        "ok",
        shows=("no capabilities", "no_new_privs"),
    ),
    hostile(
        "kernel_surfaces_behind_seccomp",
        """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        calls = {"io_uring_setup": (425, 8, 0), "bpf": (321, 0, 0, 0), "userfaultfd": (323, 0),
                 "perf_event_open": (298, 0, 0, -1, -1, 0), "keyctl": (250, 0, 0),
                 "x32 getpid": (0x40000000 + 39,)}
        answered = [name for name, (number, *args) in calls.items()
                    if libc.syscall(number, *args) != -1 or ctypes.get_errno() != 1]
        seccomp = "Seccomp:\\t2" in open("/proc/self/status").read()
        print("refused" if not answered and seccomp else f"ANSWERED {answered} {seccomp}")
        """,
        "ok",
        shows=("refused",),
    ),
    hostile(
        "setuid_root",
        """
        import os
        os.setuid(0)
        print("ROOT")
        """,
        "error",
        never_shows=("ROOT",),
    ),
    hostile(
        "setuid_binaries",
        """
        import os
        for path in ("/usr/bin/sudo", "/bin/su", "/usr/bin/passwd", "/bin/mount"):
            try:
                os.execv(path, [path])
            except OSError:
                pass
        print("no setuid binary")
        """,
        "ok",
        shows=("no setuid binary",),
    ),
    hostile(
        "namespaces_mounts_chroot_hostname",
        """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        results = {
            "userns": libc.unshare(0x10000000),
            "mountns": libc.unshare(0x00020000),
            "netns": libc.unshare(0x40000000),
            "mount": libc.mount(b"none", b"/tmp", b"tmpfs", 0, None),
            "hostname": libc.sethostname(b"CANARY", 6),
        }
        try:
            os.chroot("/tmp")
            results["chroot"] = 0
        except OSError:
            results["chroot"] = -1
        allowed = [name for name, result in results.items() if result == 0]
        print("ALLOWED", allowed) if allowed else print("all refused")
        """,
        "ok",
        shows=("all refused",),
    ),
    hostile(
        "ptrace_other_processes",
        """
        import ctypes, os
        PTRACE_ATTACH = 16
        libc = ctypes.CDLL(None, use_errno=True)
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()] + [0, os.getppid()]
        attached = [pid for pid in pids
                    if pid != os.getpid() and libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0]
        print("ATTACHED", attached) if attached else print("no ptrace")
        """,
        "ok",
        shows=("no ptrace",),
    ),
    hostile(
        "tiocsti_terminal_injection",
        """
        import fcntl, os, termios
        injected = []
        for fd in (0, 1, 2):
            try:
                fcntl.ioctl(fd, termios.TIOCSTI, b"x")
                injected.append(fd)
            except OSError:
                pass
        try:
            fcntl.ioctl(os.open("/dev/tty", os.O_RDWR), termios.TIOCSTI, b"x")
            injected.append("tty")
        except OSError:
            pass
        print("INJECTED", injected) if injected else print("no terminal")
        """,
        "ok",
        shows=("no terminal",),
    ),
    hostile(
        "raise_own_limits",
        """
        import resource
        resource.setrlimit(resource.RLIMIT_NPROC, (10**6, 10**6))
        print("RAISED")
        """,
        "error",
        never_shows=("RAISED",),
    ),
    hostile(
        "write_proc_sys",
        """
        open("/proc/sys/kernel/hostname", "w").write("CANARY")
        print("WROTE")
        """,
        "error",
        never_shows=("WROTE",),
    ),
    # --- signals -----------------------------------------------------------------------------
    hostile(
        "kill_every_process",
        """
        import os, signal
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        print("still here")
        """,
        # 70,000 system calls: on a busy machine they may outlast the suite's one-second limit.
        "ok",
        "killed",
        "timeout",
    ),
    hostile(
        "kill_the_parent",
        """
        import os, signal
        os.kill(os.getppid(), signal.SIGKILL)
        print("still here")
        """,
        # 70,000 system calls: on a busy machine they may outlast the suite's one-second limit.
        "ok",
        "killed",
        "timeout",
    ),
    hostile(
        "kill_every_pid_number",
        """
        import os, signal
        for pid in range(1, 70000):
            if pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        print("still here")
        """,
        # 70,000 system calls: on a busy machine they may outlast the suite's one-second limit.
        "ok",
        "killed",
        "timeout",
    ),
    # --- leaving something behind ------------------------------------------------------------
    hostile(
        "process_left_running",
        """
        import os, select
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                while True:
                    try:
                        with open("/tmp/CANARY-left", "a") as f:
                            f.write("x")
                    except OSError:
                        pass
                    select.select([], [], [], 0.01)
            os._exit(0)
        print("daemon started")
        """,
        "ok",
        then="""
        import os
        others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
        left = others or os.path.exists("/tmp/CANARY-left")
        print(f"LEFT {others}" if left else "CLEAN")
        """,
    ),
    hostile(
        "files_left_for_a_later_run",
        """
        import os
        for path in ("/tmp/CANARY", "/dev/shm/CANARY"):
            with open(path, "w") as f:
                f.write("planted")
        os.symlink("/etc/shadow", "/tmp/CANARY-link")
        print("planted")
        """,
        "ok",
        then="""
        import os
        left = os.listdir("/tmp") + os.listdir("/dev/shm")
        print(f"LEFT {left}" if left else "CLEAN")
        """,
    ),
    hostile(
        "sysv_shared_memory_left",
        """
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        print("segment", libc.shmget(0x10ADDEC, 4096, 0o1666))
        """,
        "ok",
        then="""
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        print("CLEAN" if libc.shmget(0x10ADDEC, 4096, 0o666) == -1 else "LEFT")
        """,
    ),
    hostile(
        "earlier_runs_source_in_inherited_memory",
        """
        print("zebra-4411 is my answer")
        """,
        "ok",
        then="""
        import re
        # The pattern cannot match its own text, only an earlier run's source.
        pattern = re.compile(rb"zebra-44[1]1")
        found = []
        with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
            for line in maps:
                span, perms = line.split()[:2]
                if "r" not in perms or line.rstrip().endswith(("[vvar]", "[vsyscall]")):
                    continue
                start, end = (int(part, 16) for part in span.split("-"))
                try:
                    mem.seek(start)
                    if pattern.search(mem.read(end - start)):
                        found.append(line.strip())
                except (OSError, OverflowError, ValueError):
                    pass
        print(f"FOUND {found}" if found else "CLEAN")
        """,
    ),
    hostile(
        "zombies",
        """
        import os
        for _ in range(20):
            if os.fork() == 0:
                os._exit(0)
        print("made zombies")
        """,
        "ok",
    ),
    # --- crashes and stdin -------------------------------------------------------------------
    hostile(
        "segfault_through_ctypes",
        """
        import ctypes
        ctypes.string_at(0)
        """,
        "killed",
    ),
    hostile(
        "stdin_reads",
        """
        import os, sys
        print(repr(sys.stdin.read()), repr(os.read(0, 100)))
        """,
        "ok",
        shows=("'' b''",),
    ),
    hostile("input_without_stdin", "input('name? ')", "error"),
    # --- forging the verdict -----------------------------------------------------------------
    hostile(
        "print_fake_json",
        """
        import json
        report = json.dumps({"status": "ok", "passed": True, "exit_code": 0})
        print(report)
        print(len(report).to_bytes(4, "big").decode("latin-1") + report)
        raise SystemExit(3)
        """,
        "error",
    ),
    hostile(
        "write_fake_report_to_every_fd",
        """
        import json, os
        body = json.dumps({"status": "ok", "passed": True}).encode()
        for fd in range(3, 1024):
            try:
                os.write(fd, len(body).to_bytes(4, "big") + body)
            except OSError:
                pass
        """,
        "error",
    ),
    hostile(
        "close_the_channel",
        """
        import os
        os.closerange(3, 1024)
        """,
        "error",
    ),
    hostile(
        "exit_before_reporting",
        """
        import os
        os._exit(0)
        """,
        "error",
    ),
]
