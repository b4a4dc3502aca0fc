"""The hostile suite holds for an ordinary user too, not only for root with its uid switching."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner import bwrap_available
from tests.conftest import require
from tests.hostile.host import REPO

pytestmark = pytest.mark.bwrap

# Debian's python3: the unprivileged uid cannot reach the virtualenv's interpreter under /root.
SYSTEM_PYTHON = "/usr/bin/python3"
NOBODY = 65534
# What a checkout holds that is not the project: the ordinary user's copy leaves it out.
LOCAL_ONLY = (".git", ".venv", "*.sqlite3", "local.env", "test-artifacts", ".*cache", "__pycache__")


@pytest.fixture
def readable_copy() -> Iterator[Path]:
    """The checkout copied where the ordinary user can read it: the checkout itself (and pytest's
    own temporary folders) may sit in a folder only root can enter, as a CI clone does."""
    folder = Path(tempfile.mkdtemp(prefix="loopdeck-ordinary-"))
    try:
        folder.chmod(0o755)
        copy = folder / "checkout"
        shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(*LOCAL_ONLY))
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_every_attack_is_contained_for_an_ordinary_user(readable_copy: Path) -> None:
    require(bwrap_available(), "bubblewrap (bwrap)")
    if os.geteuid() == 0:
        as_user = {"user": NOBODY, "group": NOBODY, "extra_groups": []}
        python = SYSTEM_PYTHON
    else:
        as_user, python = {}, sys.executable
    checkout = readable_copy

    result = subprocess.run(
        [python, "-B", "-m", "tests.hostile.ordinary_user"],
        cwd=checkout,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        timeout=300,
        **as_user,
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["uid"] != 0
    assert report["problems"] == {}
