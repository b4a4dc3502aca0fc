"""A finished run tells whoever waits for it, so a Check can answer with its verdict at once.

When runs go through Redis, the worker pushes a word onto a short-lived list named after the run
as it saves the verdict, and the request that submitted it waits a short, bounded time for that
word (BLPOP) instead of sending "running…" and polling. The word stays until it is taken or
expires, so a verdict saved before the request starts waiting is not missed, and the wait needs
no connection of its own. Without Redis (eager runs) the run is finished before the request goes
on, and nothing waits. Any Redis trouble only means falling back to polling.
"""

from __future__ import annotations

import logging
from functools import cache

from quiz.celery import app

logger = logging.getLogger(__name__)

# How long a finished run's word waits for the request to take it: far beyond any wait.
KEPT_SECONDS = 60


def key(run_id: object) -> str:
    return f"loopdeck:run:{run_id}"


@cache
def _redis(url: str, socket_timeout: float):  # noqa: ANN202  (redis is imported only for Redis)
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=socket_timeout)


def _client(wait: float = 0):  # noqa: ANN202
    """Redis, when runs go through it, able to wait `wait` s for an answer; None when runs go
    eagerly or through another broker."""
    if app.conf.task_always_eager:
        return None
    url = app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return _redis(url, wait + 2)


def announce(run_id: object) -> None:
    """(In the worker, once the verdict is saved.) Wake the request waiting for this run."""
    client = _client()
    if client is None:
        return
    import redis

    try:
        with client.pipeline() as transaction:  # never a word that does not expire
            transaction.rpush(key(run_id), b"done").expire(key(run_id), KEPT_SECONDS)
            transaction.execute()
    except redis.RedisError:
        logger.warning("Could not announce run %s; its page polls instead.", run_id)


def wait_for(run_id: object, is_finished, timeout: float) -> bool:  # noqa: ANN001
    """Wait up to `timeout` seconds for the run to finish; whether it has (`is_finished()`
    reads the database, once, after the wait)."""
    client = _client(timeout)
    if client is not None and timeout > 0:
        import redis

        try:
            client.blpop([key(run_id)], timeout=max(0.001, timeout))
        except redis.RedisError:
            logger.warning("Could not wait for run %s on Redis; its page polls instead.", run_id)
    return is_finished()
