"""The commands the READMEs show work as written: they exist, and manage.py finds its settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
READMES = [ROOT / "README.md", ROOT / "content" / "README.md", ROOT / "runner" / "README.md"]
SETTINGS_CHECK = (
    "import os, sys; sys.path.insert(0, os.getcwd()); import manage; from pathlib import Path; "
    "manage.read_local_settings(Path(sys.argv[1])); import quiz.settings as s; "
    "print(s.DEBUG, len(s.SECRET_KEY))"
)


def manage_commands() -> set[str]:
    found = set()
    for readme in READMES:
        found |= set(re.findall(r"manage\.py (\w+)", readme.read_text()))
    return found


def test_the_readmes_show_manage_py_commands() -> None:
    assert {"loaddecks", "checkdecks", "seeddemo", "migrate"} <= manage_commands()


@pytest.mark.parametrize("command", sorted(manage_commands()))
def test_each_manage_py_command_in_the_readmes_exists(command: str) -> None:
    assert command in get_commands()


def without_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}


def test_make_writes_local_settings_that_manage_py_reads(tmp_path: Path) -> None:
    subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "local.env", f"PYTHON={sys.executable}"],
        cwd=tmp_path,
        check=True,
        env=without_settings(),
    )
    local = tmp_path / "local.env"
    assert local.stat().st_mode & 0o077 == 0  # the key is readable by its owner only
    shown = subprocess.run(
        [sys.executable, "-c", SETTINGS_CHECK, str(local)],
        cwd=ROOT,
        env=without_settings(),
        capture_output=True,
        text=True,
        check=True,
    )
    written = dict(line.split("=", 1) for line in local.read_text().splitlines())
    assert len(written["SECRET_KEY"]) >= 50
    assert shown.stdout.split() == ["True", str(len(written["SECRET_KEY"]))]


def test_without_local_settings_production_still_refuses_to_start(tmp_path: Path) -> None:
    refused = subprocess.run(
        [sys.executable, "-c", SETTINGS_CHECK, str(tmp_path / "missing.env")],
        cwd=ROOT,
        env=without_settings(),
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "Set SECRET_KEY" in refused.stderr


def test_the_environment_wins_over_local_settings(tmp_path: Path) -> None:
    local = tmp_path / "local.env"
    local.write_text("# development\nDEBUG=1\nSECRET_KEY=from-the-file\n")
    env = without_settings() | {"SECRET_KEY": "from-the-environment", "DEBUG": "0"}
    shown = subprocess.run(
        [sys.executable, "-c", SETTINGS_CHECK, str(local)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.split() == ["False", str(len("from-the-environment"))]
