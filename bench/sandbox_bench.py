"""Benchmark: the notes' second program through Runner in bubblewrap, cold and warm, and runs/s.

Prints the cold start (a fresh sandbox and interpreter per run), the warm path's median and p95
(a pre-imported zygote forks each run into its own namespaces), the runs per second two runners
sustain in parallel (two processes, as two app workers would be), and the CPU time a warm run
costs, which does not depend on what else the machine is doing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

# The checkout first, however this is started: `python -m bench.sandbox_bench`, or as a script
# by bench/run.py (`make bench`).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.runner_bench import PROGRAM  # noqa: E402
from runner import (
    Runner,  # noqa: E402
    bwrap_available,
)
from runner.launchers.bwrap import BwrapLauncher  # noqa: E402
from runner.launchers.warm import WarmPool  # noqa: E402


def descendants_cpu_ms() -> float:
    """CPU milliseconds used so far by our child processes and everything they reaped."""
    tree: dict[int, list[int]] = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            parent = int(Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        tree.setdefault(parent, []).append(int(name))
    total = 0
    stack = list(tree.get(os.getpid(), []))
    while stack:
        pid = stack.pop()
        stack += tree.get(pid, [])
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def cpu_per_run(runner: Runner, runs: int) -> tuple[float, float]:
    """CPU milliseconds per warm run: in the sandbox, and in this (the host) process."""
    runner.run(PROGRAM)
    sandbox, host = descendants_cpu_ms(), time.process_time()
    for _ in range(runs):
        runner.run(PROGRAM)
    return (
        (descendants_cpu_ms() - sandbox) / runs,
        (time.process_time() - host) * 1000 / runs,
    )


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


def worker(seconds: float, start: Event, counts: Queue) -> None:
    """One runner (one warm slot) running the program back to back for `seconds`."""
    with Runner(launcher=WarmPool(slots=1)) as runner:
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
    counts: Queue = multiprocessing.Queue()
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
    with Runner(launcher=WarmPool()) as warm:
        warm_times = timed_runs(warm, args.runs)
        sandbox_cpu, host_cpu = cpu_per_run(warm, args.runs)
    per_second = parallel_throughput(2, args.seconds)
    cores = os.cpu_count() or 1
    print("the notes' second program (virtual 3.0 s) through Runner, bubblewrap sandbox")
    print(f"  cold start, fresh sandbox per run: median {statistics.median(cold_times):6.1f} ms")
    print(f"  warm zygote fork:                  median {statistics.median(warm_times):6.1f} ms")
    print(f"                                     p95    {percentile(warm_times, 0.95):6.1f} ms")
    print(f"  two runners in parallel:           {per_second:6.0f} runs/s")
    print(f"  CPU per warm run: sandbox {sandbox_cpu:.1f} ms + host {host_cpu:.1f} ms", end="")
    print(f" (at most {cores * 1000 / (sandbox_cpu + host_cpu):.0f} runs/s on {cores} idle cores)")
    print(f"  load average while measuring: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
