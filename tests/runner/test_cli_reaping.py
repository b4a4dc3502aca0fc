"""`python -m runner` ends and reaps every sandbox process it started before it exits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runner import bwrap_available
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
# Run in a child that adopts orphans: whatever the CLI leaves behind becomes its child.
ADOPTER = """
import ctypes, os, subprocess, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
done = subprocess.run([sys.executable, "-m", "runner", "run", sys.argv[1]], capture_output=True)
left = []
for thread in os.listdir("/proc/self/task"):
    left += open(f"/proc/self/task/{thread}/children").read().split()
print(done.returncode, len(left))
"""


@pytest.mark.bwrap
def test_the_cli_leaves_no_process_behind(tmp_path):
    require(bwrap_available(), "bubblewrap (bwrap)")
    program = tmp_path / "main.py"
    program.write_text(
        "import os\nif os.fork() == 0:\n    import time; time.sleep(30)\nprint('hi')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", ADOPTER, str(program)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    # Exit code 0, and no process adopted once the CLI had gone.
    assert result.stdout.split() == ["0", "0"], result.stderr
