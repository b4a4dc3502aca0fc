"""Through Redis: a real Celery worker process runs the code; a worker killed mid-run is noticed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from quiz.models import Run
from tests.code.conftest import CONCURRENT, celery_broker
from tests.conftest import require

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

HX = {"HTTP_HX_REQUEST": "true"}
ROOT = Path(settings.BASE_DIR)

# Spins without awaiting: the sandbox ends it at its CPU limit, seconds later, so the run is
# still "running" when the test kills the worker.
SPINS = """\
import asyncio


async def main():
    while True:
        pass


asyncio.run(main())
"""


def shared_database_url() -> str | None:
    """The test database as a URL another process can open, or None (in-memory SQLite)."""
    db = connection.settings_dict
    name = str(db["NAME"])
    if "sqlite" in db["ENGINE"]:
        if name == ":memory:" or "mode=memory" in name:
            return None
        return f"sqlite:///{name}"
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(name)}"


@pytest.fixture
def worker(redis_url: str, transactional_db: Any, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """A `celery -A quiz worker` process on its own queue, sharing the test database."""
    database_url = shared_database_url()
    require(
        database_url is not None,
        "a database a worker process can share (PostgreSQL, or SQLite in a file)",
    )
    queue = f"loopdeck-test-{uuid.uuid4().hex[:10]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": redis_url,
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "quiz.settings",
    }
    command = [
        *(sys.executable, "-m", "celery", "-A", "quiz", "worker", "-Q", queue, "-n", f"{queue}@%h"),
        *("--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat"),
        *("--loglevel=INFO",),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while b" ready." not in log.read_bytes():
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "worker did not start:\n" + log.read_text()
            time.sleep(0.1)
        process.log = log  # type: ignore[attr-defined]
        with celery_broker(redis_url, queue):
            yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def poll(client: Any, run: Run, seconds: float) -> tuple[str, float]:
    """Poll the run's fragment as the page does until it stops saying "running…"."""
    started = time.monotonic()
    while True:
        html = client.get(f"/runs/{run.run_id}/", **HX).content.decode()
        if "running…" not in html:
            return html, time.monotonic() - started
        assert time.monotonic() - started < seconds, f"still running after {seconds} s"
        time.sleep(0.3)


def test_a_worker_process_runs_the_check_and_the_verdict_reaches_the_page(client, shown, worker):
    response = client.post(shown, {"code": CONCURRENT, "action": "check"}, **HX)
    assert "running…" in response.content.decode()
    run = Run.objects.get()
    assert run.status in ("queued", "running", "done")

    html, _ = poll(client, run, 30)

    assert "All checks passed." in html and "3 s of program time" in html
    run.refresh_from_db()
    assert (run.status, run.passed, run.task_id) == ("done", True, str(run.run_id))
    assert str(run.run_id) in worker.log.read_text()


def test_a_run_whose_worker_is_killed_ends_as_an_error_within_the_hard_limit(
    client, shown, worker, settings
):
    settings.CODE_RUN_HARD_LIMIT, settings.CODE_RUN_GRACE = 12, 3
    client.post(shown, {"code": SPINS, "action": "run"}, **HX)
    run = Run.objects.get()
    deadline = time.monotonic() + 20
    while Run.objects.get(pk=run.pk).status != "running":
        assert time.monotonic() < deadline, worker.log.read_text()
        time.sleep(0.05)

    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    html, waited = poll(client, run, 12 + 3 + 10)

    assert "The code runner stopped while running your code. Please run it again." in html
    assert waited <= 12 + 3 + 2
    run.refresh_from_db()
    assert (run.status, run.error) == ("error", "lost")
    # The learner can try again at once: the dead run no longer counts as in flight.
    assert client.post(shown, {"code": CONCURRENT, "action": "run"}, **HX).status_code == 200
