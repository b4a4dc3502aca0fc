"""Benchmark: server time of each progress page on PostgreSQL with 1,000 learners, ~1M reviews.

Creates a scratch database next to BENCH_POSTGRES_URL's (postgres://postgres@127.0.0.1:5432/
postgres by default), fills it with `seeddemo`, times every dashboard page through Django's test
client (the server's work: middleware, queries, templates; no network), prints a table and
drops the database. Target: under 200 ms per page.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
TARGET_MS = 200.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--days", type=int, default=480, help="~1,000 reviews per learner")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(options.repeats)))
        return 0
    return run(options)


def run(options: argparse.Namespace) -> int:
    import psycopg

    if os.environ.get("BENCH_DATABASE_URL"):
        # An already filled database (seeddemo run before): measure only.
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": os.environ["BENCH_DATABASE_URL"]}
        report(measure_in(env, options.repeats), seeded=None)
        return 0

    name = f"loopdeck_progress_bench_{os.getpid()}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL is not reachable at {ADMIN_URL}: {error}")
        return 1
    admin.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + "/" + name}
    manage = [sys.executable, str(ROOT / "manage.py")]
    try:
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "loaddecks"], env=env, check=True, cwd=ROOT, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [*manage, "seeddemo", "--learners", str(options.learners), "--days", str(options.days)],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        seeded = time.perf_counter() - started
        # What autovacuum would have done by the time anyone looks at a dashboard.
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        report(measure_in(env, options.repeats), seeded)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return 0


def measure_in(env: dict[str, str], repeats: int) -> dict[str, Any]:
    measured = subprocess.run(
        [sys.executable, __file__, "--measure", "1", "--repeats", str(repeats)],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return json.loads(measured.stdout.strip().splitlines()[-1])


def measure(repeats: int) -> dict[str, Any]:
    """In a process whose DATABASE_URL is the filled database: time each page `repeats` times."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quiz.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from quiz.models import Review, Run

    setup_test_environment()
    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"is_staff": True})
    teacher, _ = User.objects.get_or_create(username="bench-teacher")
    teacher.groups.add(Group.objects.get(name="teacher"))
    busiest = (
        User.objects.annotate(n=Count("review")).order_by("-n").values_list("pk", flat=True)[0]
    )
    learner = User.objects.get(pk=busiest)
    pages = [
        ("learner: my progress", learner, "/progress/"),
        ("staff: learner drill-down", staff, f"/progress/learners/{learner.pk}/"),
        ("staff: cohort", staff, "/progress/learners/"),
        ("staff: cohort by retention", staff, "/progress/learners/?sort=retention&order=desc"),
        ("staff: cohort, page 10", staff, "/progress/learners/?sort=overdue&page=10"),
        ("teacher: decks", teacher, "/progress/decks/"),
        ("teacher: deck, 30 days", teacher, "/progress/decks/asyncio/"),
        ("teacher: deck, all time", teacher, "/progress/decks/asyncio/?days=0"),
    ]
    rows = []
    for label, user, url in pages:
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200, url  # warm-up: connections, templates
        times = []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        rows.append(
            {
                "page": label,
                "median": statistics.median(times),
                "min": min(times),
                "max": max(times),
                "queries": len(queries.captured_queries),
            }
        )
    return {
        "learners": User.objects.filter(username__startswith="learner-").count(),
        "reviews": Review.objects.count(),
        "runs": Run.objects.count(),
        "learner_reviews": Review.objects.filter(user=learner).count(),
        "pages": rows,
    }


def report(result: dict[str, Any], seeded: float | None) -> None:
    took = f" (seeddemo: {seeded:.0f} s)" if seeded is not None else ""
    print(
        f"PostgreSQL: {result['learners']:,} learners, {result['reviews']:,} reviews, "
        f"{result['runs']:,} runs{took}; the learner pages show the busiest learner "
        f"({result['learner_reviews']:,} reviews). Load average: {os.getloadavg()[0]:.1f}."
    )
    print(
        f"{'page':32} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'queries':>8}"
        f"  median under {TARGET_MS:.0f} ms"
    )
    for row in result["pages"]:
        ok = "yes" if row["median"] < TARGET_MS else "NO"
        print(
            f"{row['page']:32} {row['median']:10.1f} {row['min']:8.1f} {row['max']:8.1f}"
            f" {row['queries']:8d}  {ok}"
        )


if __name__ == "__main__":
    sys.exit(main())
