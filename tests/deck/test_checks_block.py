"""A card's Checks block is validated as the deck is read: a wrong key is refused at its line."""

from __future__ import annotations

import pytest

from quiz.decks.fileformat import DeckError, parse_deck_text

DECK = """---
deck: tiny
language: en
title: Tiny
---

## cancel-it
kind: code
tags: cancel

### Front
Cancel the task and wait for it.

### Starter
```python
import asyncio
```

### Solution
```python
import asyncio


async def main():
    task = asyncio.create_task(asyncio.sleep(10))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


asyncio.run(main())
```

### Wrong: cancelled_awaited
```python
import asyncio


async def main():
    task = asyncio.create_task(asyncio.sleep(10))
    task.cancel()


asyncio.run(main())
```

### Checks
```yaml
no_pending_tasks: true
cancelled_awaited: true
syntax:
  require:
    - {rule}
```
"""


def test_the_new_keys_are_read_with_the_card():
    deck = parse_deck_text(DECK.replace("{rule}", "cancel_awaited"))
    [card] = deck.cards
    assert card.checks == {
        "no_pending_tasks": True,
        "cancelled_awaited": True,
        "syntax": {"require": ["cancel_awaited"]},
    }


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("bare_except", "require: unknown rule 'bare_except'"),
        ("{call: asyncio.gather, inside: nowhere special}", "inside must be one of"),
    ],
)
def test_a_wrong_syntax_rule_is_refused_at_the_syntax_key(rule, says):
    text = DECK.replace("{rule}", rule)
    with pytest.raises(DeckError) as raised:
        parse_deck_text(text)
    lines = text.splitlines()
    assert lines[raised.value.line - 1] == "syntax:"
    assert says in raised.value.message
    assert "card 'cancel-it'" in raised.value.message


def test_an_unknown_key_is_refused_at_its_line():
    text = DECK.replace("{rule}", "cancel_awaited").replace(
        "no_pending_tasks: true", "no_pending: true"
    )
    with pytest.raises(DeckError, match="spec key 'no_pending': unknown check") as raised:
        parse_deck_text(text)
    assert text.splitlines()[raised.value.line - 1] == "no_pending: true"
