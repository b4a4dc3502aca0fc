"""The hostile suite holds for an ordinary user too, not only for root with its uid switching."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from runner import bwrap_available
from tests.conftest import require
from tests.hostile.host import REPO

pytestmark = pytest.mark.bwrap

# Debian's python3: the unprivileged uid cannot reach the virtualenv's interpreter under /root.
SYSTEM_PYTHON = "/usr/bin/python3"
NOBODY = 65534


def test_every_attack_is_contained_for_an_ordinary_user() -> None:
    require(bwrap_available(), "bubblewrap (bwrap)")
    if os.geteuid() == 0:
        as_user = {"user": NOBODY, "group": NOBODY, "extra_groups": []}
        python = SYSTEM_PYTHON
    else:
        as_user, python = {}, sys.executable

    result = subprocess.run(
        [python, "-B", "-m", "tests.hostile.ordinary_user"],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
        **as_user,
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["uid"] != 0
    assert report["problems"] == {}
