"""`make bench`: run every benchmark in bench/ in turn and print their tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    for script in sorted(HERE.glob("*_bench.py")):
        print(f"\n=== {script.name} ===", flush=True)
        # As a module from the checkout's root, so this checkout's packages are the ones measured
        # (not those of another checkout an editable install points at).
        module = f"bench.{script.stem}"
        failures += subprocess.run([sys.executable, "-m", module], cwd=HERE.parent).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
