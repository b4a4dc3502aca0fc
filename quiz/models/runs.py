"""Runs of learners' code on code cards, kept with their verdicts."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quiz.models.decks import Card
from quiz.models.study import Presentation


class Run(models.Model):
    """One run of a learner's code on a code card: kept with its verdict for learner and staff.

    `run_id` names the run to the Celery task, so a task delivered twice runs the code once.
    """

    class Kind(models.TextChoices):
        RUN = "run", _("run")
        CHECK = "check", _("check")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        ERROR = "error", _("error")

    run_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="runs")
    presentation = models.ForeignKey(
        Presentation, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    code = models.TextField(_("code"))
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=7, choices=Status.choices, default=Status.QUEUED
    )
    verdict: Any = models.JSONField(_("verdict"), null=True, blank=True)
    baseline: Any = models.JSONField(
        _("starter's verdict"),
        null=True,
        blank=True,
        help_text=_("The starter code's run, drawn beside this one on cards that compare."),
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    practice = models.BooleanField(
        _("practice"),
        default=False,
        help_text=_("Run after the card's graded check: kept, but not a graded attempt."),
    )
    error = models.CharField(
        _("error"), max_length=20, blank=True, help_text=_("Why the run has no verdict.")
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "status", "created_at"]),
            # The runs in flight, read by every worker's claim and the stale-run sweep: few rows
            # among all the runs ever made.
            models.Index(
                fields=["status", "user"],
                condition=models.Q(status__in=["queued", "running"]),
                name="run_in_flight",
            ),
        ]
        verbose_name = _("run")
        verbose_name_plural = _("runs")

    def __str__(self) -> str:
        return f"{self.user} · {self.card} · {self.kind} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.ERROR)
