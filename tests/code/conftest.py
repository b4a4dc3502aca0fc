"""A small deck of code cards, a learner looking at it, and Celery brokers and workers."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.db import connection

from quiz.celery import app as celery_app
from quiz.decks.loader import load_decks
from quiz.models import Deck
from tests.conftest import require

ROOT = Path(settings.BASE_DIR)

CONCURRENT = """\
import asyncio


async def download(name):
    await asyncio.sleep(3)
    print(name, "done")


async def main():
    await asyncio.gather(download("a"), download("b"))


asyncio.run(main())
"""

SEQUENTIAL = CONCURRENT.replace(
    'await asyncio.gather(download("a"), download("b"))',
    'await download("a")\n    await download("b")',
)

BLOCKING = CONCURRENT.replace("await asyncio.sleep(3)", "time.sleep(3)").replace(
    "import asyncio\n", "import asyncio\nimport time\n"
)

CARD = """
## make-downloads-concurrent
kind: code
tags: tasks

### Front
{front}

### Starter
```python
{starter}```

### Solution
```python
{solution}```

### Wrong: virtual_seconds
```python
{starter}```

### Checks
```yaml
output:
  lines_any_order: ["a done", "b done"]
virtual_seconds: {{min: 2.9, max: 3.1}}
concurrency: 2
no_blocking: true
```

### Hints
- {hint1}
- {hint2}
"""

FRONT = {
    "en": "These two downloads run one after the other: 6 s. Make them run concurrently.",
    "ru": "Эти две загрузки идут одна за другой: 6 с. Пусть они идут одновременно.",
}
HINTS = {
    "en": ("Awaiting one coroutine after another runs them in turn.", "Try `asyncio.gather`."),
    "ru": (
        "Если ждать корутины по очереди, они и идут по очереди.",
        "Попробуйте `asyncio.gather`.",
    ),
}


def code_deck_text(language: str) -> str:
    title = {"en": "Code cards", "ru": "Карточки с кодом"}[language]
    card = CARD.format(
        front=FRONT[language],
        starter=SEQUENTIAL,
        solution=CONCURRENT,
        hint1=HINTS[language][0],
        hint2=HINTS[language][1],
    )
    return f"---\ndeck: code\nlanguage: {language}\ntitle: {title}\n---\n{card}"


@pytest.fixture
def code_deck(tmp_path: Path) -> Deck:
    for language in ("en", "ru"):
        path = tmp_path / f"code.{language}.md"
        path.write_text(code_deck_text(language), encoding="utf-8")
    load_decks(sorted(tmp_path.glob("code.*.md")))
    return Deck.objects.get(slug="code")


def code_url(html: str) -> str:
    """The address the shown code card's editor posts to."""
    return re.search(r'action="(/study/[0-9a-f-]{36}/code/)"', html).group(1)


@pytest.fixture
def shown(client: Any, learner: Any, code_deck: Deck) -> str:
    """The learner has the code card in front of them; returns where its code is posted."""
    client.force_login(learner)
    return code_url(client.get("/decks/code/study/").content.decode())


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_pools() -> None:
    """Connection and producer pools are built from the broker URL on first use: drop them."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_broker(url: str, queue: str = "celery") -> Iterator[None]:
    """Send tasks to a real broker (not eagerly) for the duration."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.task_default_queue)
    conf.task_always_eager, conf.broker_url, conf.task_default_queue = False, url, queue
    fresh_pools()
    try:
        yield
    finally:
        fresh_pools()
        conf.task_always_eager, conf.broker_url, conf.task_default_queue = saved


def forget_queue(url: str, queue: str) -> None:
    """Remove what a test's queue left in Redis: its list, its bindings, unacked messages."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*{queue}*"))
    if keys:
        client.delete(*keys)
    for tag, message in client.hgetall("unacked").items():
        if queue.encode() in message:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.fixture
def unreachable_broker() -> Iterator[None]:
    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0"):
        yield


def shared_database_url() -> str | None:
    """The test database as a URL another process can open, or None (in-memory SQLite)."""
    db = connection.settings_dict
    name = str(db["NAME"])
    if "sqlite" in db["ENGINE"]:
        if name == ":memory:" or "mode=memory" in name:
            return None
        return f"sqlite:///{name}"
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(name)}"


@pytest.fixture
def worker(
    request: pytest.FixtureRequest, redis_url: str, transactional_db: Any, tmp_path: Path
) -> Iterator[subprocess.Popen]:
    """A `celery -A quiz worker` process on its own queue, sharing the test database, with one
    pool process (or as many as an indirect parameter says)."""
    concurrency = getattr(request, "param", 1)
    database_url = shared_database_url()
    require(
        database_url is not None,
        "a database a worker process can share (PostgreSQL, or SQLite in a file)",
    )
    queue = f"loopdeck-test-{uuid.uuid4().hex[:10]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": redis_url,
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "quiz.settings",
    }
    command = [
        *(sys.executable, "-m", "celery", "-A", "quiz", "worker", "-Q", queue, "-n", f"{queue}@%h"),
        *(f"--concurrency={concurrency}", "--without-gossip", "--without-mingle"),
        *("--without-heartbeat", "--loglevel=INFO"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while b" ready." not in log.read_bytes():
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "worker did not start:\n" + log.read_text()
            time.sleep(0.1)
        process.log = log  # type: ignore[attr-defined]
        with celery_broker(redis_url, queue):
            yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        # The pool's child may outlive its parent for a moment; it holds a database session.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        forget_queue(redis_url, queue)
