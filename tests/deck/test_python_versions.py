"""A deck names its Python, a card overrides it or names two to compare side by side."""

from __future__ import annotations

import pytest
from django.core import checks

from quiz.decks.fileformat import DeckError, parse_deck_text, write_deck_text
from quiz.decks.loader import load_decks
from quiz.models import Card, CardText, Run
from quiz.runs import sandbox
from runner import pythons
from tests.code.conftest import code_url
from tests.conftest import require
from tests.runner.test_notes_programs import SECOND

pytestmark = pytest.mark.django_db

# asyncio.get_event_loop() outside a running loop: silent in 3.11, a DeprecationWarning from
# 3.12 (checked with CPython 3.11.7, 3.12.1 and 3.13.0).
GET_EVENT_LOOP = """\
import asyncio
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    asyncio.get_event_loop()
print(len(caught), [str(w.message) for w in caught])
"""


def indented(code: str) -> str:
    return code.rstrip("\n")


DECK = f"""---
deck: versions
language: en
title: Versions
python: "3.12"
---

## deck-default
kind: predict

### Front
How long?

### Snippet
```python
{indented(SECOND)}
```

## side-by-side
kind: predict
python: ["3.11", "3.12"]

### Front
Does it warn?

### Snippet
```python
{indented(GET_EVENT_LOOP)}
```

## own-python
kind: code
python: 3.13

### Front
Sleep concurrently.

### Starter
```python
import asyncio
asyncio.run(asyncio.sleep(1))
```

### Solution
```python
import asyncio
asyncio.run(asyncio.sleep(1))
```

### Wrong: virtual_seconds
```python
import asyncio
asyncio.run(asyncio.sleep(2))
```

### Checks
```yaml
virtual_seconds: {{min: 0.9, max: 1.1}}
```

## no-code
kind: basic

### Front
Which Python?

### Back
Any.
"""


def found(*series: str) -> None:
    have = {python.series for python in pythons.discover()}
    for wanted in series:
        require(wanted in have, f"Python {wanted} (pyenv, uv, Debian or RUNNER_PYTHONS)")


def test_a_card_runs_on_its_own_python_else_the_decks():
    deck = parse_deck_text(DECK)
    assert deck.python == ["3.12"]
    python = {card.id: card.content(deck.python).get("python") for card in deck.cards}
    assert python == {
        "deck-default": ["3.12"],
        "side-by-side": ["3.11", "3.12"],
        "own-python": ["3.13"],
        "no-code": None,
    }


def test_the_python_keys_survive_writing_the_file_back():
    deck = parse_deck_text(DECK)
    again = parse_deck_text(write_deck_text(deck))
    assert again.python == deck.python
    assert [card.python for card in again.cards] == [card.python for card in deck.cards]


@pytest.mark.parametrize(
    ("line", "written"),
    [
        (5, "python: 3.10"),  # YAML's number 3.1: refused, not misread
        (5, 'python: ["3.11", "3.11"]'),
        (5, 'python: ["3.11", "3.12", "3.13"]'),
        (5, 'python: "2.7"'),
    ],
)
def test_a_deck_naming_python_wrongly_is_refused_at_its_line(line, written):
    with pytest.raises(DeckError, match="'python:' must name one or two versions") as error:
        parse_deck_text(DECK.replace('python: "3.12"', written, 1))
    assert error.value.line == line


def test_a_card_that_runs_no_code_cannot_name_a_python():
    text = DECK.replace("## no-code\nkind: basic\n", "## no-code\nkind: basic\npython: 3.12\n")
    with pytest.raises(DeckError, match="a basic card runs no code"):
        parse_deck_text(text)


def load(tmp_path, text=DECK):
    path = tmp_path / "versions.en.md"
    path.write_text(text, encoding="utf-8")
    load_decks([path])


def test_predict_outputs_come_from_each_named_python(tmp_path):
    found("3.11", "3.12")
    load(tmp_path, DECK.replace("python: 3.13", "python: 3.12"))
    side = CardText.objects.get(card__key="side-by-side").content
    assert side["outputs"] == {
        "3.11": {"output": "0 []\n", "status": "ok"},
        "3.12": {"output": "1 ['There is no current event loop']\n", "status": "ok"},
    }
    # Learners predict the first one's output.
    assert (side["expected_output"], side["python"]) == ("0 []\n", ["3.11", "3.12"])
    default = CardText.objects.get(card__key="deck-default").content
    assert "outputs" not in default
    assert default["expected_output"].splitlines()[1:5] == [
        "16",
        "2.0",
        "fun1 завершена",
        "fun2 завершена",
    ]


def test_the_author_sees_both_outputs_side_by_side(client, tmp_path, django_user_model):
    found("3.11", "3.12")
    load(tmp_path, DECK.replace("python: 3.13", "python: 3.12"))
    client.force_login(django_user_model.objects.create_superuser("root-teacher"))
    page = client.get("/author/decks/versions/cards/side-by-side/")
    assert page.status_code == 200
    html = page.content.decode()
    first = html.index('data-python="3.11"')
    second = html.index('data-python="3.12"')
    assert first < second
    assert "0 []" in html[first:second]
    assert "There is no current event loop" in html[second:]


def test_a_deck_naming_a_python_not_here_is_refused_at_the_card(tmp_path):
    with pytest.raises(DeckError, match=r"card 'deck-default': no Python 3.99 here; found: "):
        load(tmp_path, DECK.replace('python: "3.12"', 'python: "3.99"'))
    assert not Card.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_learners_code_runs_on_the_cards_python_and_the_page_says_which(
    client, tmp_path, django_user_model
):
    found("3.13")
    code_card = DECK[DECK.index("## own-python") : DECK.index("## no-code")]
    load(tmp_path, "---\ndeck: versions\nlanguage: en\ntitle: Versions\n---\n\n" + code_card)
    client.force_login(django_user_model.objects.create_user("ada"))
    url = code_url(client.get("/decks/versions/study/").content.decode())
    page = client.post(
        url,
        {"code": "import asyncio\nasyncio.run(asyncio.sleep(1))\n", "action": "check"},
        HTTP_HX_REQUEST="true",
    )
    run = Run.objects.get()
    assert run.passed is True
    assert run.verdict["python"].startswith("3.13.")
    assert f"Python {run.verdict['python']}" in page.content.decode()


def test_the_system_check_warns_of_a_python_no_deck_can_run_on(tmp_path):
    found("3.11", "3.12", "3.13")
    load(tmp_path)
    assert [m for m in sandbox.check_pythons() if m.id == "quiz.W001"] == []
    text = CardText.objects.get(card__key="own-python")
    text.content["python"] = ["3.99"]
    text.save()
    warnings = [m for m in sandbox.check_pythons() if m.id == "quiz.W001"]
    assert [m.level for m in warnings] == [checks.WARNING]
    assert warnings[0].msg.startswith("Python 3.99 is named by deck(s) versions but")
