"""The host's side of the hostile suite: listeners a run must not reach, and what a run must
not leave behind. Stdlib only, so the ordinary-user run (ordinary_user.py) shares it."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from runner import Limits, Runner
from tests.hostile.snippets import CANARY, NORMAL, Hostile, normal_problems

REPO = Path(__file__).resolve().parents[2]
# Short limits keep the suite quick: hostile runs end by these, not by finishing. A run's
# processes together may hold as much memory as one may address (512 MiB).
HOSTILE_LIMITS = Limits(cpu_seconds=1, wall_seconds=1.0, address_space_bytes=512 << 20)
# The wall limit of runs that must end by themselves or by a cap, not by the clock: far beyond
# what they need, so only a run that would never end reaches it.
ENDS_BY_ITSELF = 60.0
# Host places a run could write to if it escaped; each is searched for the canary afterwards.
HOST_PLACES = ("/", "/tmp", "/var/tmp", "/dev", "/dev/shm", "/run", str(REPO), "/root", "/usr/lib")


@dataclass
class Listeners:
    """Sockets the host opens where a run must not reach them."""

    tcp: socket.socket
    udp: socket.socket
    unix: socket.socket
    abstract: socket.socket
    unix_path: str
    abstract_name: str

    def fill(self, source: str) -> str:
        return (
            source.replace("HOST_TCP_PORT", str(self.tcp.getsockname()[1]))
            .replace("HOST_UDP_PORT", str(self.udp.getsockname()[1]))
            .replace("HOST_UNIX_PATH", self.unix_path)
            .replace("HOST_ABSTRACT", self.abstract_name)
            .replace("REPO", str(REPO))
            .replace("CANARY", CANARY)
        )

    def reached(self) -> list[str]:
        """Which listeners something reached (connected to, or sent to)."""
        found = []
        for name, sock in (("tcp", self.tcp), ("unix", self.unix), ("abstract", self.abstract)):
            try:
                sock.accept()[0].close()
                found.append(name)
            except BlockingIOError:
                pass
        try:
            self.udp.recv(100)
            found.append("udp")
        except BlockingIOError:
            pass
        return found


@contextmanager
def open_listeners() -> Iterator[Listeners]:
    """TCP, UDP, unix and abstract unix sockets on the host, for runs to (fail to) reach."""
    directory = tempfile.mkdtemp(prefix="loopdeck-hostile-")
    os.chmod(directory, 0o755)
    unix_path = f"{directory}/{CANARY}.sock"
    tcp = socket.create_server(("127.0.0.1", 0))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(unix_path)
    os.chmod(unix_path, 0o777)
    unix.listen()
    abstract_name = f"{CANARY}-{os.getpid()}"
    abstract = socket.socket(socket.AF_UNIX)
    abstract.bind(f"\0{abstract_name}")
    abstract.listen()
    for sock in (tcp, udp, unix, abstract):
        sock.setblocking(False)
    try:
        yield Listeners(tcp, udp, unix, abstract, unix_path, abstract_name)
    finally:
        for sock in (tcp, udp, unix, abstract):
            sock.close()
        os.unlink(unix_path)
        os.rmdir(directory)


def children_of() -> dict[int, list[int]]:
    """Every process's children, from /proc."""
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(name))
    return tree


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


# What leftover_processes() already found before the hostile suite began: orphans of earlier tests
# (a browser's helpers, a killed worker's children) adopted by this process, which the runner made
# a subreaper. They are not the suite's to judge; anything new is.
BEFORE_THE_SUITE: set[str] = set()


def leftover_processes() -> list[str]:
    """Sandbox processes of ours that should not exist between runs.

    Between runs a warm slot is exactly five processes (bwrap, bwrap's init inside, the
    zygote's two, the next run waiting); a cold run leaves nothing. No child of ours may be a
    zombie.
    """
    tree = children_of()
    found = []
    for child in tree.get(os.getpid(), []):
        if state(child) == "Z":
            found.append(f"zombie {child}")
            continue
        if "bwrap" not in cmdline(child).split(" ")[0]:
            continue
        below, stack = [], list(tree.get(child, []))
        while stack:
            pid = stack.pop()
            below.append(pid)
            stack += tree.get(pid, [])
        # bwrap's init inside, the zygote's first process, the zygote itself (pid 1 of its own
        # pid namespace) and the next run waiting for its order; anything more was left behind.
        programs = [cmdline(pid).split(" ")[0] for pid in below]
        zygotes = [program for program in programs if "bwrap" not in program]
        is_zygote = len(below) == 4 and len(zygotes) == 3
        if not is_zygote:
            found.append(f"bwrap {child} with {[cmdline(pid)[:60] for pid in below]}")
    return [what for what in found if what not in BEFORE_THE_SUITE]


def canary_files() -> list[str]:
    """Files named with the canary anywhere a run could have written on the host."""
    found = []
    for place in HOST_PLACES:
        try:
            names = os.listdir(place)
        except OSError:
            continue
        found += [f"{place}/{name}" for name in names if CANARY in name]
    return found


def host_problems(runner: Runner, listeners: Listeners) -> list[str]:
    """Everything on the host a hostile run must have left as it was; then a normal run."""
    found = [f"new file {path}" for path in canary_files()]
    found += [f"left behind: {what}" for what in leftover_processes()]
    found += [f"reached the host's {name} listener" for name in listeners.reached()]
    found += normal_problems(runner.run(NORMAL, timeout=ENDS_BY_ITSELF))
    return found


def run_case(runner: Runner, case: Hostile, listeners: Listeners) -> tuple[dict, dict | None]:
    """Run a hostile case (and its follow-up, if any) in this runner.

    A case that may end by the wall clock gets the suite's short limit; one that must end by
    itself or by a cap (memory, /tmp, CPU time) gets ENDS_BY_ITSELF, so a busy machine cannot
    turn its `killed` or `error` into a `timeout`.
    """
    timeout = None if "timeout" in case.statuses else ENDS_BY_ITSELF
    verdict = runner.run(listeners.fill(case.source), timeout=timeout)
    then = None
    if case.then is not None:
        then = runner.run(listeners.fill(case.then), timeout=ENDS_BY_ITSELF)
    return verdict, then
