"""Benchmark: the notes' second program through Runner (virtual clock) against plain `python`."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runner import ProcessLauncher, Runner, pythons

# The notes' second program: two tasks, each awaiting asyncio.sleep(3).
PROGRAM = """\
import asyncio
import time

async def fun1(x):
    print(x**2)
    await asyncio.sleep(3)
    print('fun1 завершена')

async def fun2(x):
    print(x**0.5)
    await asyncio.sleep(3)
    print('fun2 завершена')

async def main():
    task1 = asyncio.create_task(fun1(4))
    task2 = asyncio.create_task(fun2(4))
    await task1
    await task2

print(time.strftime('%X'))
asyncio.run(main())
print(time.strftime('%X'))
"""


def through_runner(runner: Runner, runs: int, pause: float = 0.0) -> list[float]:
    """Real milliseconds per run, after a few warm-up runs; `pause` seconds between runs."""
    for _ in range(3):
        runner.run(PROGRAM)
    times = []
    for _ in range(runs):
        time.sleep(pause)
        started = time.perf_counter()
        verdict = runner.run(PROGRAM)
        times.append((time.perf_counter() - started) * 1000)
        assert verdict["status"] == "ok" and verdict["virtual_seconds"] == 3.0, verdict
    return times


def plain_python(repeats: int) -> list[float]:
    """Real milliseconds of `python main.py`, the clock really waiting."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "main.py"
        path.write_text(PROGRAM, encoding="utf-8")
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run([sys.executable, str(path)], check=True, capture_output=True)
            times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--plain", type=int, default=2, help="plain python runs")
    args = parser.parse_args()
    rows = []
    with Runner() as runner:
        name = f"Runner() [{runner.launcher.name}, {runner.python.version}]"
        rows.append((name, through_runner(runner, args.runs)))
        default = runner.python
    # The same warm path on each other interpreter found (a warm pool per interpreter).
    for python in pythons.discover():
        if python != default:
            with Runner(python=python.path) as runner:
                rows.append(
                    (f"Runner(python={python.version!r})", through_runner(runner, args.runs))
                )
    with Runner(launcher=ProcessLauncher()) as runner:
        rows.append(("Runner(ProcessLauncher())", through_runner(runner, args.runs)))
        # Learners submit now and then: the launcher's warm spare is ready for each run.
        paced = through_runner(runner, max(20, args.runs // 4), pause=0.15)
        rows.append(("  the same, a run every 150 ms", paced))
    plain = plain_python(args.plain)
    plain_median = statistics.median(plain)
    print(f"notes' second program, {args.runs} runs each; plain python run {args.plain}x")
    print(f"{'how':<36}{'median ms':>11}{'p95 ms':>9}{'speed-up':>10}")
    for name, times in rows:
        median = statistics.median(times)
        speedup = plain_median / median
        print(f"{name:<36}{median:>11.1f}{p95(times):>9.1f}{speedup:>9.0f}x")
    print(f"{'plain python (real clock)':<36}{plain_median:>11.1f}{max(plain):>9.1f}{1:>9.0f}x")


if __name__ == "__main__":
    main()
