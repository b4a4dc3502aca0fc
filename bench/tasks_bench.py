"""Benchmark: 10,000 concurrent sleeping tasks through Runner, against CPython without the sleeps.

The runner's cost per task and per await is the harness's (task spans, step timing, origin
tracking, the ordered timer heap); the goal is a verdict within 1.3x of a fresh `python` running
the same program with the sleeps removed (so CPython pays nothing for waiting). Runs alternate
between the two, so both see the same load; medians are printed side by side, with the CPU
time each takes per run (the runner's: its sandbox processes' and this process's; the plain
run's: the child's), which the machine's other load disturbs less than the wall clock.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.sandbox_bench import descendants_cpu_ms
from runner import Runner

TASKS = 10_000
PROGRAM = f"""\
import asyncio

async def worker(n):
    await asyncio.sleep(1)

async def main():
    await asyncio.gather(*(worker(n) for n in range({TASKS:_})))

asyncio.run(main())
"""
WITHOUT_SLEEPS = PROGRAM.replace("await asyncio.sleep(1)", "pass")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--python", default="/usr/bin/python3", help="the interpreter the sandbox runs"
    )
    args = parser.parse_args()
    runner_ms, plain_ms = [], []
    runner_cpu = plain_cpu = 0.0
    with tempfile.TemporaryDirectory() as directory, Runner() as runner:
        path = Path(directory) / "main.py"
        path.write_text(WITHOUT_SLEEPS, encoding="utf-8")
        runner.run(PROGRAM)
        for _ in range(args.runs):
            cpu = descendants_cpu_ms() + time.process_time() * 1000
            started = time.perf_counter()
            verdict = runner.run(PROGRAM)
            runner_ms.append((time.perf_counter() - started) * 1000)
            runner_cpu += descendants_cpu_ms() + time.process_time() * 1000 - cpu
            assert verdict["status"] == "ok" and verdict["virtual_seconds"] == 1.0, verdict
            cpu = _children_cpu_ms()
            started = time.perf_counter()
            subprocess.run([args.python, str(path)], check=True, capture_output=True)
            plain_ms.append((time.perf_counter() - started) * 1000)
            plain_cpu += _children_cpu_ms() - cpu
        name = f"Runner() [{runner.launcher.name}]"
    runner_median, plain_median = statistics.median(runner_ms), statistics.median(plain_ms)
    runner_cpu, plain_cpu = runner_cpu / args.runs, plain_cpu / args.runs
    print(f"{TASKS:,} tasks each awaiting asyncio.sleep(1), {args.runs} runs each, alternating")
    print(f"{'how':<44}{'median ms':>11}{'min ms':>9}{'CPU ms/run':>12}")
    runner_name = name + ", the sleeps on the clock"
    print(f"{runner_name:<44}{runner_median:>11.0f}{min(runner_ms):>9.0f}{runner_cpu:>12.0f}")
    plain = f"python main.py ({args.python}), no sleeps"
    print(f"{plain:<44}{plain_median:>11.0f}{min(plain_ms):>9.0f}{plain_cpu:>12.0f}")
    print(
        f"runner / plain python: {runner_median / plain_median:.2f}x (goal: at most 1.3x); "
        f"CPU time {runner_cpu / plain_cpu:.2f}x"
    )


def _children_cpu_ms() -> float:
    """CPU milliseconds of the child processes this process has reaped."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


if __name__ == "__main__":
    main()
