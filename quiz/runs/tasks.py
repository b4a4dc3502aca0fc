"""Celery tasks: running a learner's code in the sandbox, off the web process."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings

from quiz.runs import service as coding


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
    coding.execute(run_id, task_id=self.request.id or "")
