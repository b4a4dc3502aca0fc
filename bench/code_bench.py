"""Benchmark: "Check" on a code card, from the POST to the verdict saved, eager and through Redis.

Each mode runs in its own process with its own SQLite file database (on /dev/shm), or the
database BENCH_DATABASE_URL names: the web side is Django's test client in that process; through
Redis, one `celery -A quiz worker` process (concurrency 1) runs the code. The code checked is the
notes' second program.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The checkout first, however this is started: `python -m bench.code_bench`, or as a script by
# bench/run.py (`make bench`).
sys.path.insert(0, str(ROOT))

from bench.runner_bench import PROGRAM  # noqa: E402  (the notes' second program)

REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def variant(program: str, old: str, new: str) -> str:
    """`program` with `old` replaced by `new`; an error when `old` is not in it, so that a wrong
    variant can never silently be the reference itself."""
    if old not in program:
        raise ValueError(f"the program has no {old!r} to replace")
    return program.replace(old, new)


# The starter and the deck's wrong solution: the two calls awaited one after the other (6 s).
SEQUENTIAL = variant(
    PROGRAM,
    "    task1 = asyncio.create_task(fun1(4))\n    task2 = asyncio.create_task(fun2(4))\n"
    "    await task1\n    await task2\n",
    "    await fun1(4)\n    await fun2(4)\n",
)


DECK = """---
deck: bench
language: en
title: Bench
---

## second-program
kind: code

### Front
Run two tasks concurrently.

### Starter
```python
{starter}```

### Solution
```python
{solution}```

### Wrong: virtual_seconds
```python
{starter}```

### Checks
```yaml
output:
  contains: ["fun1 завершена", "fun2 завершена"]
virtual_seconds: {{min: 2.9, max: 3.1}}
concurrency: 2
no_blocking: true
```
"""


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def forget_queue(queue: str) -> None:
    """Remove the bench queue's keys from Redis."""
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(match=f"*{queue}*"))
    if keys:
        client.delete(*keys)


def measure(mode: str, runs: int) -> dict[str, Any]:
    """In this process: set up Django on a fresh database, then time `runs` checks."""
    # On tmpfs where there is one: the figures are the app's, not the disk's fsync.
    shm = Path("/dev/shm")
    directory = Path(tempfile.mkdtemp(prefix="loopdeck-bench-", dir=shm if shm.is_dir() else None))
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{directory / 'bench.sqlite3'}"
    queue = f"loopdeck-bench-{uuid.uuid4().hex[:8]}"
    os.environ.update(DEBUG="1", DATABASE_URL=database, DJANGO_SETTINGS_MODULE="quiz.settings")
    if mode == "redis":
        os.environ["CELERY_BROKER_URL"] = REDIS
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from quiz.celery import app
    from quiz.decks.loader import load_decks
    from quiz.models import Run

    call_command("migrate", verbosity=0)
    deck = directory / "bench.en.md"
    deck.write_text(DECK.format(starter=SEQUENTIAL, solution=PROGRAM), encoding="utf-8")
    load_decks([deck])
    settings.CODE_RUNS_PER_MINUTE = 10**9
    settings.ALLOWED_HOSTS = ["testserver"]
    app.conf.task_default_queue = queue
    Run.objects.filter(user__username="bench").delete()
    user, _ = get_user_model().objects.get_or_create(username="bench")
    client = Client()
    client.force_login(user)
    page = client.get("/decks/bench/study/").content.decode()
    url = re.search(r'action="(/study/[0-9a-f-]{36}/code/)"', page).group(1)
    hx = {"HTTP_HX_REQUEST": "true"}

    worker = None
    if mode == "redis":
        log = directory / "worker.log"
        command = [sys.executable, "-m", "celery", "-A", "quiz", "worker", "-Q", queue]
        command += ["--concurrency=1", "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat", "--loglevel=WARNING", "-n", f"{queue}@%h"]
        with log.open("wb") as out:
            worker = subprocess.Popen(
                command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
    try:
        saved, responded = [], []
        for index in range(runs + 5):
            started = time.time()
            response = client.post(url, {"code": PROGRAM, "action": "check"}, **hx)
            answered = time.time()
            assert response.status_code == 200, response.content.decode()
            run = Run.objects.latest("created_at")
            deadline = started + 60
            while run.finished_at is None:
                assert time.time() < deadline, "no verdict within 60 s"
                time.sleep(0.0005)
                run.refresh_from_db()
            assert run.passed, run.verdict
            if index >= 5:  # the first runs warm the sandbox and the worker up
                saved.append((run.finished_at.timestamp() - started) * 1000)
                responded.append((answered - started) * 1000)
        return {"saved": saved, "responded": responded}
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(10)
            forget_queue(queue)
        shutil.rmtree(directory, ignore_errors=True)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--mode", choices=["eager", "redis"], help="(internal) one mode")
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(measure(args.mode, args.runs)))
        return 0
    targets = {"eager": 50.0, "redis": 100.0}
    print(f"Check on a code card (the notes' second program), {args.runs} checks each")
    print(f"{'how':<34}{'p50 ms':>8}{'p95 ms':>8}{'target p50':>12}{'response p50':>14}")
    failed = 0
    for mode in ("eager", "redis"):
        name = "eager (in the web request)" if mode == "eager" else "Redis, one worker process"
        if mode == "redis" and not redis_reachable():
            print(f"{name:<34}  skipped: Redis is not reachable on 127.0.0.1:6379")
            continue
        env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
        done = subprocess.run(
            [sys.executable, __file__, "--mode", mode, "--runs", str(args.runs)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(f"{name:<34}  failed:\n{done.stderr[-2000:]}")
            failed += 1
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        saved, responded = result["saved"], result["responded"]
        median = statistics.median(saved)
        verdict = "ok" if median <= targets[mode] else "MISSED"
        print(
            f"{name:<34}{median:>8.1f}{p95(saved):>8.1f}{targets[mode]:>9.0f} {verdict:<3}"
            f"{statistics.median(responded):>13.1f}"
        )
    print("p50/p95: from the POST of Check to the verdict saved (server side);")
    print("response p50: until the POST's response (through Redis: the 'running…' fragment).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
