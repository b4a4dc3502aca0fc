"""The workers are shared fairly: a learner running their share waits while another learner's
run is queued, across every worker process (the runner's own gate only sees one process)."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from quiz.models import Card, Run
from quiz.runs.tasks import claim, execute_run
from tests.code.conftest import CONCURRENT
from tests.code.test_worker import SPINS

pytestmark = pytest.mark.django_db(transaction=True)


def queued(user, card, code=CONCURRENT, kind="run"):
    return Run.objects.create(user=user, card=card, code=code, kind=kind)


@pytest.fixture
def card(code_deck):
    return Card.objects.get(deck=code_deck)


def start(user, card) -> Run:
    run = queued(user, card, code=SPINS)
    assert claim(str(run.run_id))
    return run


def test_a_learner_running_their_share_waits_while_another_learners_run_is_queued(
    learner, other_learner, card
):
    start(learner, card)
    second, theirs = queued(learner, card), queued(other_learner, card)

    assert not claim(str(second.run_id))
    assert claim(str(theirs.run_id))
    second.refresh_from_db()
    assert second.status == "queued"


def test_with_nobody_else_waiting_a_learner_uses_every_free_worker(learner, card):
    start(learner, card)
    second = queued(learner, card)

    assert claim(str(second.run_id))


@override_settings(CODE_RUNS_RUNNING=2)
def test_the_share_is_a_setting(learner, other_learner, card):
    start(learner, card)
    second, _ = queued(learner, card), queued(other_learner, card)

    assert claim(str(second.run_id))


def test_two_learners_each_at_their_share_do_not_hold_each_other_back(learner, other_learner, card):
    # Both run one and have one more queued: neither waiting run is served first by waiting,
    # so a free worker takes it rather than stay idle.
    start(learner, card), start(other_learner, card)
    mine, _ = queued(learner, card), queued(other_learner, card)

    assert claim(str(mine.run_id))


def test_a_second_delivery_of_a_claimed_run_claims_nothing(learner, card):
    run = start(learner, card)
    assert not claim(str(run.run_id), fair=False)


@pytest.mark.redis
@pytest.mark.parametrize("worker", [2], indirect=True)
def test_another_learners_run_is_served_before_the_floods_second_run(
    learner, other_learner, card, worker
):
    # The flood's first run spins until the sandbox's CPU limit, holding one worker process.
    flood = queued(learner, card, code=SPINS)
    execute_run.apply_async(args=[str(flood.run_id)], task_id=str(flood.run_id))
    deadline = time.monotonic() + 60
    while Run.objects.get(pk=flood.pk).status == "queued":
        assert time.monotonic() < deadline, worker.log.read_text()
        time.sleep(0.1)
    # Its second run is ahead of the other learner's in the queue, and a process is free.
    second, theirs = queued(learner, card, code=SPINS), queued(other_learner, card)
    for run in (second, theirs):
        execute_run.apply_async(args=[str(run.run_id)], task_id=str(run.run_id))

    while Run.objects.get(pk=theirs.pk).status != "done":
        assert time.monotonic() < deadline, worker.log.read_text()
        time.sleep(0.1)

    theirs.refresh_from_db(), second.refresh_from_db()
    assert second.started_at is None or second.started_at > theirs.started_at
    assert theirs.verdict["status"] == "ok"
