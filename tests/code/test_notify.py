"""The word a worker leaves when a run's verdict is saved, and the request that waits for it."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from quiz.runs import notify
from tests.code.conftest import celery_broker, closed_port

pytestmark = pytest.mark.redis


@pytest.fixture
def through_redis(redis_url: str):
    with celery_broker(redis_url):
        yield redis.Redis.from_url(redis_url)


def test_a_verdict_saved_before_the_request_waits_is_taken_at_once(through_redis):
    run_id = uuid.uuid4()
    notify.announce(run_id)
    asked = []

    started = time.monotonic()
    finished = notify.wait_for(run_id, lambda: asked.append(1) or True, timeout=30)

    assert finished and asked == [1]  # the database is read once, after the wait
    assert time.monotonic() - started < 30, "waited out its bound: the word was missed"
    assert not through_redis.exists(notify.key(run_id)), "the word is left behind"


def test_a_word_nobody_takes_expires(through_redis):
    run_id = uuid.uuid4()
    notify.announce(run_id)
    try:
        assert 0 < through_redis.ttl(notify.key(run_id)) <= notify.KEPT_SECONDS
    finally:
        through_redis.delete(notify.key(run_id))


def test_without_a_word_the_request_waits_its_bound_then_reads_the_database(through_redis):
    started = time.monotonic()
    finished = notify.wait_for(uuid.uuid4(), lambda: False, timeout=0.3)

    assert finished is False
    assert time.monotonic() - started >= 0.3


def test_redis_out_of_reach_means_reading_the_database_at_once(caplog):
    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0"):
        notify.announce(uuid.uuid4())  # the worker's side does not fail either
        assert notify.wait_for(uuid.uuid4(), lambda: True, timeout=30) is True

    assert "polls instead" in caplog.text
