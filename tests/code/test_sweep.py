"""Celery beat ends stale runs as errors the learner can retry, without the learner coming back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from quiz.celery import app
from quiz.models import Run
from quiz.runs.service import sweep_stale_runs

pytestmark = pytest.mark.django_db


def test_beat_schedules_the_sweep_every_minute_as_a_registered_task():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stale-runs"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60.0


def test_the_sweep_ends_every_learners_stale_runs_and_leaves_fresh_ones(
    learner, other_learner, code_deck
):
    card = code_deck.cards.get()
    now = timezone.now()
    long_ago = now - timedelta(minutes=10)

    def run(user, status, **fields):
        return Run.objects.create(user=user, card=card, code="print()", kind="run", status=status,
                                  **fields)  # fmt: skip

    lost = run(learner, Run.Status.RUNNING, started_at=long_ago)
    never_picked = Run.objects.filter(pk=run(other_learner, Run.Status.QUEUED).pk).update(
        created_at=long_ago
    )
    fresh = run(learner, Run.Status.RUNNING, started_at=now)

    assert never_picked == 1
    assert sweep_stale_runs.delay().get() == 2
    statuses = dict(Run.objects.values_list("pk", "error"))
    assert statuses[lost.pk] == "lost"
    assert sorted(statuses.values()) == ["", "lost", "not_picked"]
    assert Run.objects.get(pk=fresh.pk).status == Run.Status.RUNNING
