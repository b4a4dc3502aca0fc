"""The cgroup v2 path of the per-run caps (runner/cgroups.py), against a cgroup2 tree faked in
a temporary folder: this host mounts cgroup v1, whose controllers a cgroup2 mount cannot have.

The fake kernel does what the real one does on mkdir and rmdir (control files appear, vanish,
and rmdir is refused while processes are inside); everything else is files the code under test
writes and reads, and the tests play the kernel's part by writing its counters.
"""

from __future__ import annotations

import errno
import os
import types
from pathlib import Path

import pytest

from runner import cgroups
from runner.cgroups import Hierarchy, RunCgroup
from runner.launchers.caps import RunCaps
from runner.limits import Limits

MiB = 1 << 20
# What a fresh cgroup2 directory holds, as the kernel fills it.
CONTROL_FILES = {
    "cgroup.controllers": "memory pids cpu\n",
    "cgroup.subtree_control": "\n",
    "cgroup.procs": "",
    "cgroup.kill": "",
    "memory.current": "0\n",
    "memory.max": "max\n",
    "memory.swap.max": "max\n",
    "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
    "pids.max": "max\n",
    "cpu.stat": "usage_usec 0\nuser_usec 0\nsystem_usec 0\n",
}


def fake_kernel(root: Path) -> types.SimpleNamespace:
    """The os module, but mkdir and rmdir under root behave as in a cgroup2 mount."""

    def mkdir(path: str, mode: int = 0o777) -> None:
        os.mkdir(path, mode)
        if Path(path).is_relative_to(root):
            for name, text in CONTROL_FILES.items():
                (Path(path) / name).write_text(text)

    def rmdir(path: str) -> None:
        folder = Path(path)
        if folder.is_relative_to(root) and (folder / "cgroup.procs").exists():
            if (folder / "cgroup.procs").read_text().split():
                raise OSError(errno.EBUSY, "Device or resource busy", path)
            for name in CONTROL_FILES:
                (folder / name).unlink(missing_ok=True)
        os.rmdir(path)

    names = {name: getattr(os, name) for name in dir(os) if not name.startswith("__")}
    return types.SimpleNamespace(**(names | {"mkdir": mkdir, "rmdir": rmdir}))


@pytest.fixture
def v2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Hierarchy:
    """A delegated cgroup2 subtree with memory, pids and cpu enabled, found as the service
    finds one."""
    root = tmp_path / "cgroup"
    root.mkdir()
    for name, text in CONTROL_FILES.items():
        (root / name).write_text(text)
    (root / "cgroup.subtree_control").write_text("memory pids cpu\n")
    monkeypatch.setattr(cgroups, "os", fake_kernel(root))
    hierarchy = cgroups._v2([(str(root), "cgroup2", ["rw"])], {"": "/"})
    assert hierarchy is not None
    return hierarchy


def read(cgroup: RunCgroup, name: str) -> str:
    return Path(cgroup.dirs["memory"], name).read_text()


def kernel_sets(cgroup: RunCgroup, name: str, text: str) -> None:
    Path(cgroup.dirs["memory"], name).write_text(text)


def test_v2_runs_go_under_the_delegated_subtree_with_every_controller(v2):
    base = Path(v2.dirs["memory"])

    assert v2.version == 2 and v2.kind == "cgroup v2"
    assert set(v2.dirs.values()) == {str(base)}
    assert base.name == cgroups.GROUP
    assert (base / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"


def test_a_run_gets_its_memory_and_process_caps_without_swap(v2):
    cgroup = RunCgroup(v2, memory_bytes=256 * MiB, processes=8)

    assert read(cgroup, "memory.max") == str(256 * MiB)
    assert read(cgroup, "pids.max") == "8"
    assert read(cgroup, "memory.swap.max") == "0"


def test_the_cap_counts_beyond_what_the_slot_already_holds(v2):
    cgroup = RunCgroup(v2, memory_bytes=256 * MiB, processes=8)
    kernel_sets(cgroup, "memory.current", f"{40 * MiB}\n")

    cgroup.limit(256 * MiB, 8)

    assert read(cgroup, "memory.max") == str(296 * MiB)


def test_memory_events_give_the_killed_memory_verdict(v2):
    limits = Limits(address_space_bytes=256 * MiB)
    caps = RunCaps(limits, cgroup=RunCgroup(v2, memory_bytes=MiB, processes=None))
    assert caps.overspent() is None
    assert caps.verdict(None) == (None, None)

    kernel_sets(caps.cgroup, "memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n")

    assert caps.overspent() == "memory"
    killed, why = caps.verdict(None)
    assert killed == "memory"
    assert why == {"code": "killed_memory_limit", "params": {"limit": "256 MiB"}}


def test_cpu_time_of_all_the_runs_processes_is_capped(v2):
    caps = RunCaps(Limits(cpu_seconds=2), cgroup=RunCgroup(v2, memory_bytes=MiB, processes=None))

    kernel_sets(caps.cgroup, "cpu.stat", "usage_usec 1900000\nuser_usec 1900000\n")
    assert caps.overspent() is None
    kernel_sets(caps.cgroup, "cpu.stat", "usage_usec 2100000\nuser_usec 2100000\n")

    assert caps.overspent() == "cpu"
    assert caps.verdict("cpu")[1] == {"code": "killed_cpu_total", "params": {"seconds": "2"}}


def test_the_next_run_in_a_kept_cgroup_starts_with_clean_counters(v2):
    cgroup = RunCgroup(v2, memory_bytes=MiB, processes=None)
    kernel_sets(cgroup, "memory.events", "max 4\noom_kill 1\n")
    kernel_sets(cgroup, "cpu.stat", "usage_usec 3000000\n")

    caps = RunCaps(Limits(cpu_seconds=2), cgroup=cgroup)

    assert not cgroup.memory_hit()
    assert cgroup.cpu_seconds() == 0.0
    assert caps.verdict(None) == (None, None)
    kernel_sets(cgroup, "memory.events", "max 5\noom_kill 1\n")
    assert caps.verdict(None)[0] == "memory"


def test_a_kept_cgroup_outlives_its_runs(v2):
    cgroup = RunCgroup(v2, memory_bytes=MiB, processes=None)

    RunCaps(Limits(), cgroup=cgroup).close()

    assert Path(cgroup.dirs["memory"]).is_dir()


def test_a_cgroup_made_for_one_run_is_removed_with_it(v2, monkeypatch):
    monkeypatch.setattr(cgroups, "available", lambda: v2)
    caps = RunCaps(Limits())
    folder = Path(caps.cgroup.dirs["memory"])
    assert folder.is_dir()

    caps.close()

    assert not folder.exists()
    assert not [name for name in os.listdir(v2.dirs["memory"]) if name.startswith("run-")]


def test_processes_left_in_a_cgroup_are_killed_all_at_once(v2, monkeypatch):
    cgroup = RunCgroup(v2, memory_bytes=MiB, processes=None)
    kernel_sets(cgroup, "cgroup.procs", "4242\n")
    monkeypatch.setattr(cgroups.time, "sleep", lambda seconds: None)

    cgroup.remove()

    assert read(cgroup, "cgroup.kill") == "1"
