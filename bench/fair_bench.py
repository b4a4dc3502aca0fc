"""Benchmark: one learner's hostile flood against another learner's ordinary run.

One owner keeps its in-flight limit (CODE_RUNS_IN_FLIGHT, 2) of runs that wait in real time
until their wall limit (a read from a pipe nobody writes to); another owner runs `print('hi')`
again and again. Prints the other owner's latency with fair slots (Runner(owner=...)) and
without (every run unowned, first come first served), on a warm pool of two slots.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runner import Limits, Runner, bwrap_available  # noqa: E402
from runner.launchers.warm import WarmPool  # noqa: E402

WAITS = "import os\nr, w = os.pipe()\nos.read(r, 1)\n"
IN_FLIGHT = 2


def latencies(fair: bool, runs: int, wall: float) -> list[float]:
    """The other owner's run times (ms) while the flood keeps IN_FLIGHT runs going."""
    with Runner(launcher=WarmPool(slots=2), limits=Limits(wall_seconds=wall)) as runner:
        runner.run("pass")
        stop = threading.Event()

        def flood() -> None:
            while not stop.is_set():
                runner.run(WAITS, real_time=True, owner="flooder" if fair else None)

        flooders = [threading.Thread(target=flood) for _ in range(IN_FLIGHT)]
        for thread in flooders:
            thread.start()
        time.sleep(0.5)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            verdict = runner.run("print('hi')", owner="learner" if fair else None)
            times.append((time.perf_counter() - started) * 1000)
            assert verdict["stdout"] == "hi\n", verdict
        stop.set()
        for thread in flooders:
            thread.join()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40, help="the other owner's runs")
    parser.add_argument("--wall", type=float, default=2.0, help="the flood's wall limit (s)")
    args = parser.parse_args()
    if not bwrap_available():
        print("bubblewrap is not available here: nothing to measure", file=sys.stderr)
        return 1
    print(f"another owner's print('hi') while one owner floods {IN_FLIGHT} waiting runs")
    for fair in (True, False):
        times = latencies(fair, args.runs if fair else max(3, args.runs // 10), args.wall)
        label = "fair slots (owner=)" if fair else "first come, first served"
        print(
            f"  {label:26} median {statistics.median(times):7.1f} ms"
            f"   max {max(times):7.1f} ms   ({len(times)} runs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
