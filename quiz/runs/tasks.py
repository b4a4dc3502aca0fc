"""Celery tasks: running a learner's saved code in the sandbox (off the web process with a broker)
and saving its verdict."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Count
from django.utils import timezone
from kombu.exceptions import OperationalError

from quiz.kinds import CodeContent
from quiz.models import Card, CheckDay, Presentation, Run
from quiz.runs import notify, sandbox
from quiz.runs.verdicts import Baseline, Verdict, storable
from quiz.study.service import mark_checked
from runner import SpecError
from runner.pythons import PythonNotFound

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    # A worker killed mid-run must not make Redis hand the run to another worker forever:
    # the stale-run sweep ends it as an error the learner can retry instead.
    reject_on_worker_lost=False,
    ignore_result=True,
    # Above the sandbox's own wall-clock limit (runner.Limits), so the sandbox, not Celery, ends
    # a slow program and the learner gets the sandbox's verdict.
    soft_time_limit=settings.CODE_RUN_SOFT_LIMIT,
    time_limit=settings.CODE_RUN_HARD_LIMIT,
)
def execute_run(self: Task, run_id: str) -> None:
    """Run one saved Run by its run id; idempotent, so a redelivered message is harmless.

    A learner already running their share while another learner's run waits gets this run put
    back at the end of the queue (Celery's retry), so the other's is served first: the workers
    are shared fairly across every process and machine. Eagerly (no broker) the runner's own
    fair gate shares the slots of the one process.
    """
    task_id = self.request.id or ""
    fair = not self.request.is_eager
    if claim(run_id, task_id, fair=fair):
        execute(run_id)
    elif fair and Run.objects.filter(run_id=run_id, status=Run.Status.QUEUED).exists():
        raise self.retry(countdown=settings.CODE_RUN_DEFER, max_retries=None)


def claim(run_id: str, task_id: str = "", *, fair: bool = True) -> bool:
    """Mark a queued run running, once: False if it is not queued (a second delivery), or if
    (fair) its learner already runs `CODE_RUNS_RUNNING` runs while another learner's waits."""
    with transaction.atomic():
        run = Run.objects.filter(run_id=run_id, status=Run.Status.QUEUED).first()
        if run is None:
            return False
        if fair:
            # One claim per learner at a time, so two workers cannot both see a free share.
            get_user_model().objects.select_for_update().filter(pk=run.user_id).first()
            if over_share(run.user_id):
                return False
        claimed = Run.objects.filter(pk=run.pk, status=Run.Status.QUEUED).update(
            status=Run.Status.RUNNING, started_at=timezone.now(), task_id=task_id
        )
        return bool(claimed)


def over_share(user_id: int) -> bool:
    """The learner runs their share of runs already, and another learner within their own
    share has a run waiting for a worker."""
    share = settings.CODE_RUNS_RUNNING
    running = Run.objects.filter(status=Run.Status.RUNNING)
    if running.filter(user=user_id).count() < share:
        return False
    full = running.values("user").annotate(n=Count("pk")).filter(n__gte=share).values("user")
    waiting = Run.objects.filter(status=Run.Status.QUEUED).exclude(user=user_id)
    return waiting.exclude(user__in=full).exists()


def execute(run_id: str) -> None:
    """Run the code of a claimed run and save its verdict."""
    run = Run.objects.select_related("card").get(run_id=run_id)
    content = run.card.text().content
    spec = (content.get("checks") or {}) if run.kind == Run.Kind.CHECK else None
    # A card naming two interpreters runs learners' code on its first.
    python = (content.get("python") or [None])[0]
    try:
        verdict = sandbox.run(run.code, spec, python=python, owner=run.user_id)
    except SoftTimeLimitExceeded:
        finish(run, error="time_limit")
        return
    except PythonNotFound:
        logger.exception("Card %s names a Python that is not here", run.card)
        finish(run, error="python")
        return
    except SpecError:
        logger.exception("Card %s has checks the runner refuses", run.card)
        finish(run, error="spec")
        return
    except Exception:
        # The learner sees an error they can retry; the traceback goes to the logs for us.
        logger.exception("Run %s failed in the runner", run_id)
        finish(run, error="crash")
        return
    finish(run, verdict=verdict, baseline=baseline_for(run.card, content, python))


def finish(
    run: Run,
    verdict: Verdict | None = None,
    baseline: Baseline | None = None,
    error: str = "",
) -> None:
    """Save the outcome; a passed or failed check grades the card it was shown on and counts
    into its checks' figures (CheckDay). Text is made storable first (see `storable`)."""
    verdict, baseline = storable(verdict), storable(baseline)
    try:
        _save(run, verdict, baseline, error)
    except DatabaseError:
        # Never leave the run "running" (to end as "lost") because of what it printed.
        logger.exception("Run %s: its verdict could not be saved", run.run_id)
        _save(run, None, None, "crash")


def _save(run: Run, verdict: Verdict | None, baseline: Baseline | None, error: str) -> None:
    passed = verdict.get("passed") if verdict and run.kind == Run.Kind.CHECK else None
    with transaction.atomic():
        saved = Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING).update(
            status=Run.Status.ERROR if error else Run.Status.DONE,
            verdict=verdict,
            baseline=baseline,
            passed=passed,
            error=error,
            finished_at=timezone.now(),
        )
        graded = saved and not run.practice
        if graded and not error and run.kind == Run.Kind.CHECK:
            CheckDay.add(run, verdict)
        if graded and passed is not None and run.presentation_id:
            # The first check decides the rating, as the first answer does on other cards; the
            # answer time ends when it was sent.
            # With what schedules the learner's cards: their settings and fitted parameters.
            presentation = Presentation.objects.select_related(
                "card__deck", "user__learner_settings", "user__fitted_parameters"
            ).get(pk=run.presentation_id)
            mark_checked(
                presentation, run.created_at, correct=bool(passed), answer={"run": str(run.run_id)}
            )
    if saved:
        transaction.on_commit(lambda: notify.announce(run.run_id))


def compares_versions(content: CodeContent) -> bool:
    """A card whose checks are about time or concurrency is a before/after comparison."""
    checks = content.get("checks") or {}
    return bool(content.get("starter")) and ("virtual_seconds" in checks or "concurrency" in checks)


def baseline_for(
    card: Card | None, content: CodeContent, python: str | None = None
) -> Baseline | None:
    """The starter's run, to draw beside the learner's; run once per starter text (and
    interpreter) and cached."""
    if not compares_versions(content):
        return None
    starter = content["starter"]
    key = "baseline:" + hashlib.sha256(f"{python or ''}\0{starter}".encode()).hexdigest()
    verdict = cache.get(key)
    if verdict is None:
        full = sandbox.run(starter, python=python)
        verdict = Baseline(
            status=full["status"],
            virtual_seconds=full["virtual_seconds"],
            tasks=full["tasks"],
            events=full["events"],
        )
        cache.set(key, verdict, 24 * 3600)
    return verdict


# The same program, checks and interpreter give the same verdict on the virtual clock: the
# reference solution runs once for all learners, and not at all after the author's Run checks.
REFERENCE_KEEP = 7 * 24 * 3600


def verdict_key(source: str, spec: dict[str, Any] | None, python: str | None) -> str:
    """Where the verdict of `source` checked against `spec` on `python` is kept."""
    blob = json.dumps([python or "", source, spec or {}], sort_keys=True)
    return "verdict:" + hashlib.sha256(blob.encode()).hexdigest()


def reference_job(content: CodeContent) -> tuple[str, dict[str, Any], str]:
    """The reference solution, its checks and the interpreter learners' code runs on."""
    return content["solution"], content.get("checks") or {}, (content.get("python") or [""])[0]


def remember_verdict(
    source: str, spec: dict[str, Any] | None, python: str | None, verdict: Verdict
) -> None:
    cache.set(verdict_key(source, spec, python), storable(verdict), REFERENCE_KEEP)


def reference_verdict(content: CodeContent) -> Verdict | None:
    """The reference solution's verdict if it was run (by a learner's page or by the author's
    Run checks); else it is queued once, through the workers like learners' runs (run now,
    eagerly), and None until it is in."""
    key = verdict_key(*reference_job(content))
    verdict: Verdict | None = cache.get(key)
    if verdict is not None:
        return verdict
    # One queued run for every learner asking meanwhile; a lost one is queued again later.
    timeout = int(settings.CODE_RUN_QUEUE_TIMEOUT + settings.CODE_RUN_HARD_LIMIT)
    if cache.add(f"{key}:queued", 1, timeout):
        try:
            run_reference.apply_async(
                args=list(reference_job(content)), expires=settings.CODE_RUN_QUEUE_TIMEOUT
            )
        except OperationalError:
            logger.warning("The Celery broker is unreachable; the reference solution waits.")
            cache.delete(f"{key}:queued")
    return cache.get(key)


@shared_task(
    ignore_result=True,
    soft_time_limit=settings.CODE_RUN_SOFT_LIMIT,
    time_limit=settings.CODE_RUN_HARD_LIMIT,
)
def run_reference(source: str, spec: dict[str, Any], python: str) -> None:
    """Run a card's reference solution against its checks and keep the verdict for everyone."""
    key = verdict_key(source, spec, python)
    try:
        if cache.get(key) is None:
            remember_verdict(source, spec, python, sandbox.run(source, spec, python=python or None))
    except Exception:
        # The page says the reference could not be run now; the next page asks again.
        logger.exception("The reference solution %s could not be run", key)
    finally:
        cache.delete(f"{key}:queued")
