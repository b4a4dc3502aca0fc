"""Celery tasks: running a learner's saved code in the sandbox (off the web process with a broker)
and saving its verdict."""

from __future__ import annotations

import hashlib
import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

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
    """Run one saved Run by its run id; idempotent, so a redelivered message is harmless."""
    execute(run_id, task_id=self.request.id or "")


def execute(run_id: str, task_id: str = "") -> None:
    """Run the code of a queued run once: a second delivery of the same run does nothing."""
    claimed = Run.objects.filter(run_id=run_id, status=Run.Status.QUEUED).update(
        status=Run.Status.RUNNING, started_at=timezone.now(), task_id=task_id
    )
    if not claimed:
        return
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
