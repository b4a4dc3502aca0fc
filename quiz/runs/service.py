"""Code cards: submitting a learner's code as a run, running it, and what its verdict means."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from quiz.models import Card, CheckDay, Presentation, Run
from quiz.runs import sandbox as running
from quiz.runs.verdicts import Baseline, Verdict
from runner import SpecError

logger = logging.getLogger(__name__)

ERRORS = {
    "queue_down": _(
        "The code runner cannot be reached right now, so your code was not run. "
        "Your code is still in the editor; try again in a minute."
    ),
    "lost": _("The code runner stopped while running your code. Please run it again."),
    "not_picked": _("No code runner picked up your code in time. Please run it again."),
    "time_limit": _("Running your code took too long and was stopped."),
    "spec": _("This card's checks cannot be run; please tell the deck's author."),
    "crash": _("Something went wrong while running your code. Please run it again."),
}


class RunRefused(Exception):
    """The run was not started (too many runs, empty code); nothing was saved."""

    def __init__(self, message: Any, status: int = 429) -> None:
        super().__init__(message)
        self.status = status


def limit(name: str) -> float:
    """A tunable limit, read when needed: settings give every default (see README)."""
    return float(getattr(settings, name))


def stale_after() -> timedelta:
    """A run still "running" this long after it started has lost its worker."""
    return timedelta(seconds=limit("CODE_RUN_HARD_LIMIT") + limit("CODE_RUN_GRACE"))


def sweep_stale(now: datetime | None = None, **filters: Any) -> int:
    """End runs whose worker died (or that no worker took) as errors the learner can retry."""
    now = now or timezone.now()
    lost = Run.objects.filter(
        status=Run.Status.RUNNING, started_at__lt=now - stale_after(), **filters
    ).update(status=Run.Status.ERROR, error="lost", finished_at=now)
    waited = timedelta(seconds=limit("CODE_RUN_QUEUE_TIMEOUT"))
    not_picked = Run.objects.filter(
        status=Run.Status.QUEUED, created_at__lt=now - waited, **filters
    ).update(status=Run.Status.ERROR, error="not_picked", finished_at=now)
    return lost + not_picked


def submit(
    user: AbstractBaseUser,
    card: Card,
    code: str,
    kind: str,
    presentation: Presentation | None = None,
) -> Run:
    """Save a run and hand it to Celery once saved; refuse it past the learner's limits.

    Eagerly (no broker) the run has finished when this returns; with a broker it is queued.
    If the broker cannot be reached the run is kept as an error, never left queued.
    """
    if not code.strip():
        raise RunRefused(_("There is no code to run."), status=400)
    now = timezone.now()
    sweep_stale(now, user=user)
    with transaction.atomic():
        # One submission per learner at a time, so two quick clicks cannot both pass the limits.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        mine = Run.objects.filter(user=user)
        in_flight = mine.filter(status__in=[Run.Status.QUEUED, Run.Status.RUNNING]).count()
        if in_flight >= limit("CODE_RUNS_IN_FLIGHT"):
            raise RunRefused(
                _("Your previous run has not finished yet. Wait for its result, then try again.")
            )
        last_minute = mine.filter(created_at__gte=now - timedelta(minutes=1)).count()
        if last_minute >= limit("CODE_RUNS_PER_MINUTE"):
            raise RunRefused(_("That is a lot of runs in one minute. Take a breath and try again."))
        run = Run.objects.create(
            user=user, card=card, presentation=presentation, code=code, kind=kind, created_at=now
        )
        transaction.on_commit(lambda: enqueue(run))
    run.refresh_from_db()
    return run


def enqueue(run: Run) -> None:
    """Send the run to the workers (or run it now, eagerly); an unreachable broker ends it."""
    from quiz.runs.tasks import execute_run

    try:
        execute_run.apply_async(
            args=[str(run.run_id)],
            task_id=str(run.run_id),
            expires=limit("CODE_RUN_QUEUE_TIMEOUT"),
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        )
    except OperationalError:
        logger.warning("The Celery broker is unreachable; run %s ends as an error.", run.run_id)
        Run.objects.filter(pk=run.pk, status=Run.Status.QUEUED).update(
            status=Run.Status.ERROR, error="queue_down", finished_at=timezone.now()
        )


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
    try:
        verdict = running.run(run.code, spec)
    except SoftTimeLimitExceeded:
        finish(run, error="time_limit")
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
    finish(run, verdict=verdict, baseline=baseline_for(run.card, content))


def finish(
    run: Run,
    verdict: Verdict | None = None,
    baseline: Baseline | None = None,
    error: str = "",
) -> None:
    """Save the outcome; a passed or failed check grades the card it was shown on and counts
    into its checks' figures (CheckDay)."""
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
        if saved and not error and run.kind == Run.Kind.CHECK:
            CheckDay.add(run, verdict)
        if saved and passed is not None and run.presentation_id:
            # The first check decides the rating, as the first answer does on other cards.
            Presentation.objects.filter(
                pk=run.presentation_id, correct__isnull=True, answered_at__isnull=True
            ).update(correct=bool(passed), answer={"run": str(run.run_id)})


def compares_versions(content: dict[str, Any]) -> bool:
    """A card whose checks are about time or concurrency is a before/after comparison."""
    checks = content.get("checks") or {}
    return bool(content.get("starter")) and ("virtual_seconds" in checks or "concurrency" in checks)


def baseline_for(card: Card, content: dict[str, Any]) -> Baseline | None:
    """The starter's run, to draw beside the learner's; run once per starter text and cached."""
    if not compares_versions(content):
        return None
    starter = content["starter"]
    key = "baseline:" + hashlib.sha256(starter.encode()).hexdigest()
    verdict = cache.get(key)
    if verdict is None:
        full = running.run(starter)
        verdict = Baseline(
            status=full["status"],
            virtual_seconds=full["virtual_seconds"],
            tasks=full["tasks"],
            events=full["events"],
        )
        cache.set(key, verdict, 24 * 3600)
    return verdict


def latest_run(presentation: Presentation) -> Run | None:
    return Run.objects.filter(presentation=presentation).order_by("-created_at", "-pk").first()


def error_message(run: Run) -> str:
    return str(ERRORS.get(run.error, ERRORS["crash"]))
