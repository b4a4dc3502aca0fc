"""Python 3.11, 3.12 and 3.13 for learners' code: discovery, choice, and the version that ran."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from runner import ProcessLauncher, Runner, bwrap_available, pythons
from runner.launchers.reach import reachable, world_reachable
from tests.conftest import require
from tests.runner.test_notes_programs import SECOND

ROOT = Path(__file__).resolve().parents[2]
SUPPORTED = ("3.11", "3.12", "3.13")
VERSION = "import platform; print(platform.python_version())\n"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runner", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env=env,
    )


def own_version(path: str) -> str:
    """The version an interpreter states of itself."""
    return subprocess.run(
        [path, "-c", VERSION], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_package_installs_on_every_supported_python():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    required = SpecifierSet(pyproject["project"]["requires-python"])
    assert [version for version in ("3.10", *SUPPORTED) if f"{version}.0" in required] == list(
        SUPPORTED
    )
    assert "3.14.0" in required


def test_a_configured_list_resolves_links_and_drops_what_is_no_python(tmp_path):
    link = tmp_path / "python-link"
    link.symlink_to(sys.executable)
    not_python = tmp_path / "python3.99"
    not_python.write_text("#!/bin/sh\necho CPython 3.99.0\n")
    not_python.chmod(0o755)
    found = pythons.discover([str(link), str(not_python), sys.executable, "/nowhere/python3"])
    real = os.path.realpath(sys.executable)
    assert [python.path for python in found] == [real]
    assert found[0].version == own_version(sys.executable)


def test_pyenv_installs_are_found_by_their_real_path_not_a_shim(tmp_path, monkeypatch):
    version = own_version(sys.executable)
    bin_dir = tmp_path / "versions" / version / "bin"
    bin_dir.mkdir(parents=True)
    series = ".".join(version.split(".")[:2])
    (bin_dir / f"python{series}").symlink_to(sys.executable)
    (tmp_path / "shims").mkdir()
    (tmp_path / "shims" / f"python{series}").write_text("#!/bin/sh\nexec pyenv exec python\n")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.delenv("RUNNER_PYTHONS", raising=False)
    assert str(bin_dir / f"python{series}") in pythons.candidates()
    assert not any("shims" in path for path in pythons.candidates())
    found = [python.path for python in pythons.discover()]
    assert os.path.realpath(sys.executable) in found
    assert not any(path.startswith(str(tmp_path)) for path in found)


def test_the_environment_variable_replaces_the_search(monkeypatch):
    monkeypatch.setenv("RUNNER_PYTHONS", sys.executable)
    assert [python.path for python in pythons.discover()] == [os.path.realpath(sys.executable)]


def test_the_pythons_command_prints_each_interpreter_once_with_one_default():
    result = cli("pythons")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert listed, "no interpreter found"
    assert sum(entry["default"] for entry in listed) == 1
    assert len({entry["path"] for entry in listed}) == len(listed)
    for entry in listed:
        assert entry["path"] == os.path.realpath(entry["path"])
        assert entry["version"] == own_version(entry["path"])


def test_an_unknown_python_is_refused_with_what_exists(tmp_path):
    program = tmp_path / "main.py"
    program.write_text("print('hi')\n")
    result = cli("run", str(program), "--python", "2.7")
    assert result.returncode == 2
    refused = json.loads(result.stdout)
    assert (refused["status"], refused["error"]["code"]) == ("error", "runner_refused")
    assert "no Python 2.7 here; found: " in result.stderr
    assert pythons.discover()[0].version in result.stderr
    with pytest.raises(pythons.PythonNotFound, match="no Python 2.7 here"):
        Runner(python="2.7")


def test_the_verdict_names_the_version_that_ran_as_the_program_itself_sees_it():
    with Runner(launcher=ProcessLauncher()) as runner:
        verdict = runner.run(VERSION)
    assert verdict["status"] == "ok"
    assert verdict["python"] == verdict["stdout"].strip() == own_version(sys.executable)


def test_one_runner_runs_another_interpreter_for_one_run():
    found = pythons.discover()
    other = next((p for p in found if p.path != os.path.realpath(sys.executable)), None)
    if other is None:
        pytest.skip("only one interpreter here")
    with Runner(launcher=ProcessLauncher(spares=0)) as runner:
        verdicts = [runner.run(VERSION, python=python) for python in (None, other.path)]
    assert [v["python"] for v in verdicts] == [own_version(sys.executable), other.version]
    assert [v["stdout"].strip() for v in verdicts] == [v["python"] for v in verdicts]


def test_a_path_out_of_reach_is_mirrored_where_the_sandbox_reaches_it(monkeypatch):
    base = Path(tempfile.mkdtemp(prefix="loopdeck-reach-"))
    try:
        base.chmod(0o755)
        private = base / "private"
        (private / "lib" / "site-packages").mkdir(parents=True)
        (private / "lib" / "os.py").write_text("# stdlib\n")
        (private / "lib" / "site-packages" / "secret.py").write_text("TOKEN = 1\n")
        private.chmod(0o700)
        monkeypatch.setattr("runner.launchers.reach.mirror_root", lambda: str(base / "mirrors"))
        source = str(private / "lib")
        assert not world_reachable(source)
        mirror = reachable.__wrapped__(source)
        assert mirror.startswith(str(base / "mirrors")) and world_reachable(mirror)
        assert (Path(mirror) / "os.py").read_text() == "# stdlib\n"
        assert not (Path(mirror) / "site-packages").exists()
        assert reachable.__wrapped__(str(base)) == str(base)
    finally:
        shutil.rmtree(base)


@pytest.mark.bwrap
@pytest.mark.parametrize("series", SUPPORTED)
def test_the_notes_second_program_takes_3_s_on_each_python_in_bubblewrap(series, tmp_path):
    require(bwrap_available(), "bubblewrap (bwrap)")
    found = [python for python in pythons.discover() if python.series == series]
    require(bool(found), f"Python {series} (pyenv, uv, Debian or RUNNER_PYTHONS)")
    program = tmp_path / "second.py"
    program.write_text(SECOND + VERSION)
    result = cli("run", str(program), "--python", series)
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert (verdict["status"], verdict["virtual_seconds"]) == ("ok", 3.0)
    assert verdict["sandbox"].startswith("bwrap")
    lines = verdict["stdout"].splitlines()
    assert lines[1:5] == ["16", "2.0", "fun1 завершена", "fun2 завершена"]
    assert verdict["python"].startswith(f"{series}.") and lines[-1] == verdict["python"]


# What changed between versions, as learners meet it: eager tasks (3.12+) start at create_task;
# get_event_loop() outside a running loop warns from 3.12.
EAGER = """\
import asyncio

async def work(n):
    print("start", n)
    await asyncio.sleep(0.01)
    print("end", n)

async def main():
    asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
    first = asyncio.create_task(work(1))
    print("created 1")
    second = asyncio.create_task(work(2))
    print("created 2")
    await asyncio.gather(first, second)
    async with asyncio.TaskGroup() as group:
        group.create_task(work(3))
        print("created 3")

asyncio.run(main())
"""
GET_EVENT_LOOP = """\
import asyncio
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    asyncio.get_event_loop()
print(len(caught), [str(w.message) for w in caught])
"""
CASES = [
    pytest.param(series, program, id=f"{name}-{series}")
    for name, program, versions in (
        ("eager-tasks", EAGER, ("3.12", "3.13")),
        ("get-event-loop", GET_EVENT_LOOP, SUPPORTED),
    )
    for series in versions
]


@pytest.mark.parametrize(("series", "program"), CASES)
def test_each_python_prints_what_real_cpython_of_that_version_prints(series, program, tmp_path):
    found = [python for python in pythons.discover() if python.series == series]
    require(bool(found), f"Python {series} (pyenv, uv, Debian or RUNNER_PYTHONS)")
    path = tmp_path / "main.py"
    path.write_text(program)
    real = subprocess.run(
        [found[0].path, str(path)], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    with Runner(python=found[0].path) as runner:
        verdict = runner.run(program)
    assert verdict["status"] == "ok", verdict["stderr"]
    assert verdict["python"] == found[0].version
    assert verdict["stdout"] == real.stdout


def test_a_runner_takes_a_launcher_or_a_python_not_both():
    with pytest.raises(ValueError, match="a launcher or a python, not both"):
        Runner(launcher=ProcessLauncher(spares=0), python="3.11")
