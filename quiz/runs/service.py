"""Code cards: submitting a learner's code as a run, within the learner's limits, and its errors."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from quiz.models import Card, Presentation, Run
from quiz.runs.tasks import execute_run

logger = logging.getLogger(__name__)

IN_FLIGHT = [Run.Status.QUEUED, Run.Status.RUNNING]

ERRORS = {
    "queue_down": _(
        "The code runner cannot be reached right now, so your code was not run. "
        "Your code is still in the editor; try again in a minute."
    ),
    "lost": _("The code runner stopped while running your code. Please run it again."),
    "not_picked": _("No code runner picked up your code in time. Please run it again."),
    "time_limit": _("Running your code took too long and was stopped."),
    "spec": _("This card's checks cannot be run; please tell the deck's author."),
    "python": _(
        "This card's Python version is not installed on this server; please tell the deck's author."
    ),
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


@shared_task(ignore_result=True)
def sweep_stale_runs() -> int:
    """Celery beat's periodic sweep (CELERY_BEAT_SCHEDULE): every learner's stale runs."""
    swept = sweep_stale()
    if swept:
        logger.warning("Ended %s stale runs as errors the learners can retry.", swept)
    return swept


def submit(
    user: AbstractBaseUser,
    card: Card,
    code: str,
    kind: str,
    presentation: Presentation | None = None,
) -> Run:
    """Save a run and hand it to Celery once saved; refuse it past the learner's limits.

    Eagerly (no broker) the run has finished when this returns; with a broker it is queued.
    If the broker cannot be reached the run is kept as an error, never left queued. The run is
    returned as saved: what running it wrote (OUTCOME_FIELDS) is read by whoever waits for it.
    """
    if not code.strip():
        raise RunRefused(_("There is no code to run."), status=400)
    now = timezone.now()
    with transaction.atomic():
        # One submission per learner at a time, so two quick clicks cannot both pass the limits.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        counts = _counts(user, presentation, now)
        if counts["in_flight"] >= limit("CODE_RUNS_IN_FLIGHT") and sweep_stale(now, user=user):
            # A run whose worker died (or that no worker took) held the slot: now ended.
            counts = _counts(user, presentation, now)
        if counts["in_flight"] >= limit("CODE_RUNS_IN_FLIGHT"):
            raise RunRefused(
                _("Your previous run has not finished yet. Wait for its result, then try again.")
            )
        if counts["last_minute"] >= limit("CODE_RUNS_PER_MINUTE"):
            raise RunRefused(_("That is a lot of runs in one minute. Take a breath and try again."))
        run = Run.objects.create(
            user=user,
            card=card,
            presentation=presentation,
            code=code,
            kind=kind,
            created_at=now,
            practice=presentation is not None
            and (presentation.correct is not None or counts["graded"] > 0),
        )
        transaction.on_commit(lambda: enqueue(run))
    return run


# What running a run writes to it (the rest, and the objects it refers to, stay as read).
OUTCOME_FIELDS = [
    "status", "verdict", "baseline", "passed", "error", "task_id", "started_at", "finished_at",
]  # fmt: skip


def enqueue(run: Run) -> None:
    """Send the run to the workers (or run it now, eagerly); an unreachable broker ends it."""
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


def _counts(
    user: AbstractBaseUser, presentation: Presentation | None, now: datetime
) -> dict[str, int]:
    """The learner's runs in flight and of the last minute, and the presentation's graded
    checks (queued, running or done), in one query."""
    return Run.objects.filter(user=user).aggregate(
        in_flight=Count("pk", filter=Q(status__in=IN_FLIGHT)),
        last_minute=Count("pk", filter=Q(created_at__gte=now - timedelta(minutes=1))),
        # The card's one graded check is in (or on its way): later runs are practice. A check
        # that ended in an error (the runner down) had no verdict, so the next one is graded.
        graded=Count(
            "pk",
            filter=Q(
                presentation=presentation,
                kind=Run.Kind.CHECK,
                practice=False,
                status__in=[*IN_FLIGHT, Run.Status.DONE],
            ),
        ),
    )


def graded_run(presentation: Presentation) -> Run | None:
    """The check that decided the card's result, if it has finished."""
    return (
        Run.objects.filter(
            presentation=presentation, kind=Run.Kind.CHECK, practice=False, status=Run.Status.DONE
        )
        .order_by("created_at", "pk")
        .first()
    )


def latest_run(presentation: Presentation) -> Run | None:
    return Run.objects.filter(presentation=presentation).order_by("-created_at", "-pk").first()


def error_message(run: Run) -> str:
    return str(ERRORS.get(run.error, ERRORS["crash"]))
