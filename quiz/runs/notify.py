"""A finished run tells whoever waits for it, so a Check can answer with its verdict at once.

When runs go through Redis, the worker publishes on a channel named after the run as it saves the
verdict, and the request that submitted it waits a short, bounded time on that channel instead of
sending "running…" and polling. Without Redis (eager runs) the run is finished before the request
goes on, and nothing waits. Any Redis trouble only means falling back to polling.
"""

from __future__ import annotations

import logging
import time
from functools import cache

from quiz.celery import app

logger = logging.getLogger(__name__)


def channel(run_id: object) -> str:
    return f"loopdeck:run:{run_id}"


@cache
def _redis(url: str):  # noqa: ANN202  (redis is imported only where the broker is Redis)
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def _client():  # noqa: ANN202
    """Redis, when runs go through it; None when they run eagerly or through another broker."""
    if app.conf.task_always_eager:
        return None
    url = app.conf.broker_url or ""
    return _redis(url) if url.startswith(("redis://", "rediss://", "unix://")) else None


def announce(run_id: object) -> None:
    """(In the worker, once the verdict is saved.) Wake the request waiting for this run."""
    client = _client()
    if client is None:
        return
    import redis

    try:
        client.publish(channel(run_id), b"done")
    except redis.RedisError:
        logger.warning("Could not announce run %s; its page polls instead.", run_id)


def wait_for(run_id: object, is_finished, timeout: float) -> bool:  # noqa: ANN001
    """Wait up to `timeout` seconds for the run to finish; whether it has.

    `is_finished()` reads the database. It is asked after subscribing, so a run that finished
    before the subscription is seen there, and one that finishes after it is heard on the channel.
    """
    client = _client()
    if client is None or timeout <= 0:
        return is_finished()
    import redis

    try:
        with client.pubsub(ignore_subscribe_messages=True) as pubsub:
            pubsub.subscribe(channel(run_id))
            if is_finished():
                return True
            deadline = time.monotonic() + timeout
            # The subscription's own confirmation comes first and reads as None: wait on.
            while (left := deadline - time.monotonic()) > 0:
                if pubsub.get_message(timeout=left) is not None:
                    break
    except redis.RedisError:
        logger.warning("Could not wait for run %s on Redis; its page polls instead.", run_id)
    return is_finished()
