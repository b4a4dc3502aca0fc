"""Benchmark: the notes' second program through Runner in bubblewrap, cold and warm, and runs/s.

Prints the cold start (a fresh sandbox and interpreter per run), the warm path's median and p95
(a pre-imported zygote forks each run into its own namespaces), and the runs per second two
runners sustain in parallel (two processes, as two app workers would be).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time

from runner_bench import PROGRAM

from runner import Runner
from runner.bwrap import BwrapLauncher, bwrap_available
from runner.sandbox_warm import ZygoteLauncher


def timed_runs(runner: Runner, runs: int) -> list[float]:
    """Real milliseconds per run through Runner, after a few warm-up runs."""
    for _ in range(3):
        runner.run(PROGRAM)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        verdict = runner.run(PROGRAM)
        times.append((time.perf_counter() - started) * 1000)
        assert verdict["status"] == "ok" and verdict["virtual_seconds"] == 3.0, verdict
    return times


def percentile(times: list[float], fraction: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def worker(
    seconds: float, start: multiprocessing.synchronize.Event, counts: multiprocessing.Queue
) -> None:
    """One runner (one warm slot) running the program back to back for `seconds`."""
    with Runner(launcher=ZygoteLauncher(slots=1)) as runner:
        runner.run(PROGRAM)
        start.wait()
        done = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert runner.run(PROGRAM)["status"] == "ok"
            done += 1
    counts.put(done)


def parallel_throughput(runners: int, seconds: float) -> float:
    """Runs per second that `runners` runner processes complete together."""
    start = multiprocessing.Event()
    counts: multiprocessing.Queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=worker, args=(seconds, start, counts))
        for _ in range(runners)
    ]
    for process in processes:
        process.start()
    time.sleep(1.0)
    start.set()
    total = sum(counts.get() for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300, help="warm runs to time")
    parser.add_argument("--cold-runs", type=int, default=30, help="cold runs to time")
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput window")
    args = parser.parse_args()
    if not bwrap_available():
        print("bubblewrap is not available here: nothing to measure", file=sys.stderr)
        return 1
    with Runner(launcher=BwrapLauncher()) as cold:
        cold_times = timed_runs(cold, args.cold_runs)
    with Runner(launcher=ZygoteLauncher()) as warm:
        warm_times = timed_runs(warm, args.runs)
    per_second = parallel_throughput(2, args.seconds)
    print("the notes' second program (virtual 3.0 s) through Runner, bubblewrap sandbox")
    print(f"  cold start, fresh sandbox per run: median {statistics.median(cold_times):6.1f} ms")
    print(f"  warm zygote fork:                  median {statistics.median(warm_times):6.1f} ms")
    print(f"                                     p95    {percentile(warm_times, 0.95):6.1f} ms")
    print(f"  two runners in parallel:           {per_second:6.0f} runs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
