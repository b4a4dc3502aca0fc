"""A card's Checks block is validated as the deck is read: a wrong key is refused at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.decks.fileformat import DeckError, parse_deck_file, parse_deck_text, write_deck_text

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


PROVEN = Path(__file__).parents[1] / "checkdecks" / "decks" / "proven.en.md"


def test_equivalent_mutants_are_read_and_written_back_the_same():
    deck = parse_deck_file(PROVEN)
    [card] = deck.cards
    assert card.equivalent_mutants == {
        "widen-except@8": "the handler re-raises, so catching BaseException there changes nothing"
    }
    assert card.content()["equivalent_mutants"] == card.equivalent_mutants
    text = write_deck_text(deck)
    assert "### Equivalent mutants\n- widen-except@8: the handler re-raises" in text
    again = parse_deck_text(text)
    assert [c.content() for c in again.cards] == [card.content()]


@pytest.mark.parametrize(
    "line",
    ["- widen-except: no line", "- widen-except@8", "- widen-except@8: twice\n- widen-except@8: x"],
)
def test_a_malformed_equivalent_mutant_is_refused_at_its_line(line):
    text = PROVEN.read_text(encoding="utf-8").replace(
        "- widen-except@8: the handler re-raises, so catching BaseException there changes nothing",
        line,
    )
    with pytest.raises(DeckError, match="'- <operator>@<line>: reason'") as raised:
        parse_deck_text(text)
    assert text.splitlines()[raised.value.line - 1] == line.splitlines()[-1]
