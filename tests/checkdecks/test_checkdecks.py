"""checkdecks: predict outputs come from the runner, and code cards' checks discriminate."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from quiz.decks.loader import load_decks
from quiz.models import CardText

pytestmark = pytest.mark.django_db

DECK = """---
deck: proof
language: en
title: Proof
---

## two-sleepers
kind: predict
tags: tasks

### Front
What does it print?

### Snippet
```python
import asyncio, time

async def main():
    start = time.monotonic()
    await asyncio.gather(asyncio.sleep(3), asyncio.sleep(3))
    print(f"{time.monotonic() - start:.1f}")

asyncio.run(main())
```

## concurrent
kind: code
tags: tasks

### Front
Make it concurrent.

### Starter
```python
import asyncio

async def main():
    await asyncio.sleep(3)
    await asyncio.sleep(3)

asyncio.run(main())
```

### Solution
```python
import asyncio

async def main():
    await asyncio.gather(asyncio.sleep(3), asyncio.sleep(3))

asyncio.run(main())
```

### Wrong: virtual_seconds
```python
WRONG
```

### Checks
```yaml
virtual_seconds: {min: 2.9, max: 3.1}
```
"""

SEQUENTIAL = """import asyncio

async def main():
    await asyncio.sleep(3)
    await asyncio.sleep(3)

asyncio.run(main())"""


def checkdecks(*paths: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("checkdecks", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_passes_a_deck_whose_code_discriminates_and_stores_predict_output(tmp_path):
    path = tmp_path / "proof.en.md"
    path.write_text(DECK.replace("WRONG", SEQUENTIAL))
    load_decks([path])
    text = CardText.objects.get(card__key="two-sleepers")
    text.content = {key: text.content[key] for key in ("front", "back", "snippet")}
    text.save()

    out, _ = checkdecks(path)

    assert "2 cards checked in 1 deck(s), 0 with problems." in out
    assert "wrong solution 1 fails virtual_seconds" in out
    stored = CardText.objects.get(card__key="two-sleepers").content
    assert stored["expected_output"] == "3.0\n"
    assert stored["expected_status"] == "ok"


def test_a_wrong_solution_that_passes_fails_the_command(tmp_path):
    path = tmp_path / "proof.en.md"
    solution = DECK.split("### Solution\n```python\n")[1].split("```")[0]
    path.write_text(DECK.replace("WRONG", solution))

    with pytest.raises(CommandError) as error:
        checkdecks(path)

    assert "1 with problems" in str(error.value)


def test_a_malformed_deck_names_file_and_line(tmp_path):
    path = tmp_path / "proof.en.md"
    path.write_text(DECK.replace("kind: code", "kind: program"))

    with pytest.raises(CommandError) as error:
        checkdecks(path)

    assert f"{path}:" in str(error.value)
    assert "'kind:' must be one of" in str(error.value)


def test_the_shipped_decks_pass():
    out, _ = checkdecks(settings.BASE_DIR / "content")
    assert ", 0 with problems." in out
