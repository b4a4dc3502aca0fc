"""Through Redis: a real Celery worker process runs the code; a worker killed mid-run is noticed."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest

from quiz.models import Run
from tests.code.conftest import CONCURRENT

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

HX = {"HTTP_HX_REQUEST": "true"}

# Spins without awaiting: the sandbox ends it at its CPU limit, seconds later, so the run is
# still "running" when the test kills the worker.
SPINS = """\
import asyncio


async def main():
    while True:
        pass


asyncio.run(main())
"""


def poll(client: Any, run: Run, seconds: float) -> tuple[str, float]:
    """Poll the run's fragment as the page does until it stops saying "running…"."""
    started = time.monotonic()
    while True:
        html = client.get(f"/runs/{run.run_id}/", **HX).content.decode()
        if "running…" not in html:
            return html, time.monotonic() - started
        assert time.monotonic() - started < seconds, f"still running after {seconds} s"
        time.sleep(0.3)


def test_a_worker_process_runs_the_check_and_the_verdict_reaches_the_page(
    client, shown, worker, settings
):
    settings.CODE_RUN_WAIT = 0  # answer "running…" at once, and poll
    response = client.post(shown, {"code": CONCURRENT, "action": "check"}, **HX)
    assert "running…" in response.content.decode()
    run = Run.objects.get()
    assert run.status in ("queued", "running", "done")

    html, _ = poll(client, run, 30)

    assert "All checks passed." in html and "3 s of program time" in html
    run.refresh_from_db()
    assert (run.status, run.passed, run.task_id) == ("done", True, str(run.run_id))
    assert str(run.run_id) in worker.log.read_text()


def test_check_answers_with_the_verdict_when_the_worker_saves_it_within_the_wait(
    client, shown, worker, settings
):
    settings.CODE_RUN_WAIT = 60  # bounded, and ended by the worker's signal, not by the clock
    started = time.monotonic()
    html = client.post(shown, {"code": CONCURRENT, "action": "check"}, **HX).content.decode()
    waited = time.monotonic() - started

    assert "running…" not in html
    assert "All checks passed." in html and "3 s of program time" in html
    assert waited < 60, "the request waited out its bound: the worker's signal never came"
    assert Run.objects.get().passed is True


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
