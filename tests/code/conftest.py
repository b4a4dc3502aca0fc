"""A small deck of code cards, and a learner looking at its first card."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kombu.pools
import pytest

from quiz.celery import app as celery_app
from quiz.loading import load_decks
from quiz.models import Deck

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


@pytest.fixture
def unreachable_broker() -> Iterator[None]:
    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0"):
        yield
