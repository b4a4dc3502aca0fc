"""One grade per presentation: the first answer decides, and reload, return and undo show it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from quiz.decks.loader import load_decks
from quiz.models import Presentation, Progress, Review
from quiz.study import reads, service

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}

DECK = """---
deck: kinds
language: en
title: Kinds
---

## pick
kind: choice

### Front
Which call runs coroutines concurrently?

### Options
- [x] `asyncio.gather`
- [ ] `time.sleep`

## name-it
kind: type-in

### Front
Which object is a placeholder for a result?

### Answers
- Future

## in-order
kind: order

### Front
Order the steps.

### Items
- create the task
- await it

## prints
kind: predict

### Snippet
```python
print(1 + 1)
```

### Front
What does it print?
"""

# A wrong and a right answer per kind, as the study form posts them.
ANSWERS = {
    "pick": ({"choice": ["1"]}, {"choice": ["0"]}),
    "name-it": ({"text": "Task"}, {"text": "future"}),
    "in-order": (
        {"item": ["0", "1"], "rank": ["2", "1"]},
        {"item": ["0", "1"], "rank": ["1", "2"]},
    ),
    "prints": ({"text": "3"}, {"text": "2"}),
}


@pytest.fixture
def kinds(tmp_path: Path, client, learner) -> None:
    (tmp_path / "kinds.en.md").write_text(DECK, encoding="utf-8")
    load_decks([tmp_path])
    client.force_login(learner)


def shown(html: str) -> tuple[str, str]:
    card = re.search(r'data-card="([^"]+)"', html).group(1)
    token = re.search(r"/study/([0-9a-f-]{36})/(?:check|answer)/", html).group(1)
    return card, token


def ratings(html: str) -> list[str]:
    return re.findall(r'name="rating" value="(\d)"', html)


def bring_up(client, key: str) -> str:
    """Answer cards rightly (Good) until `key` is in front; return its token."""
    for _ in range(10):
        card, token = shown(client.get("/decks/kinds/study/").content.decode())
        if card == key:
            return token
        client.post(f"/study/{token}/check/", ANSWERS[card][1])
        client.post(f"/study/{token}/answer/", {"rating": 3})
    raise AssertionError(f"{key} never came")


@pytest.mark.usefixtures("kinds")
@pytest.mark.parametrize("key", list(ANSWERS))
def test_a_wrong_first_answer_stays_wrong_after_reload_a_second_answer_and_undo(client, key):
    token = bring_up(client, key)
    wrong, right = ANSWERS[key]

    first = client.post(f"/study/{token}/check/", wrong, **HX).content.decode()
    assert "Not quite." in first and ratings(first) == ["1"]

    # A reload shows the recorded result, not a fresh question.
    reloaded = client.get("/decks/kinds/study/").content.decode()
    assert shown(reloaded) == (key, token)
    assert "Not quite." in reloaded and ratings(reloaded) == ["1"]
    assert f"/study/{token}/check/" not in reloaded

    # A second (right) answer to the same presentation changes nothing.
    second = client.post(f"/study/{token}/check/", right, **HX).content.decode()
    assert "Not quite." in second and "Right!" not in second and ratings(second) == ["1"]
    assert client.post(f"/study/{token}/answer/", {"rating": 3}).status_code == 400

    # Again, then undo: the failed result is back with Again only.
    client.post(f"/study/{token}/answer/", {"rating": 1})
    undone = client.post("/decks/kinds/undo/", **HX).content.decode()
    assert shown(undone) == (key, token)
    assert "Not quite." in undone and ratings(undone) == ["1"]
    assert Presentation.objects.get(token=token).correct is False


@pytest.mark.usefixtures("kinds")
def test_undo_takes_back_only_the_rating_chosen_among_those_offered(client):
    token = bring_up(client, "name-it")
    client.post(f"/study/{token}/check/", {"text": "future"})
    client.post(f"/study/{token}/answer/", {"rating": 4})
    undone = client.post("/decks/kinds/undo/", **HX).content.decode()
    assert "Right!" in undone and ratings(undone) == ["2", "3", "4"]
    client.post(f"/study/{token}/answer/", {"rating": 2})
    assert Review.objects.filter(card__key="name-it").get().rating == 2


@pytest.mark.usefixtures("kinds")
def test_answer_time_stops_at_the_answer_and_is_capped(client):
    token = bring_up(client, "name-it")
    shown_at = timezone.now() - timedelta(seconds=12)
    Presentation.objects.filter(token=token).update(shown_at=shown_at)
    client.post(f"/study/{token}/check/", {"text": "future"})
    # The learner then reads the result for ten minutes before rating.
    ten = timedelta(minutes=10)
    Presentation.objects.filter(token=token).update(
        shown_at=F("shown_at") - ten, checked_at=F("checked_at") - ten
    )
    client.post(f"/study/{token}/answer/", {"rating": 3})
    assert 12_000 <= Review.objects.get(card__key="name-it").duration_ms < 20_000

    # A card left open for an hour before its answer counts as the cap.
    token = bring_up(client, "in-order")
    Presentation.objects.filter(token=token).update(shown_at=timezone.now() - timedelta(hours=1))
    client.post(f"/study/{token}/check/", ANSWERS["in-order"][1])
    client.post(f"/study/{token}/answer/", {"rating": 3})
    assert Review.objects.get(card__key="in-order").duration_ms == service.MAX_ANSWER_MS


@pytest.mark.usefixtures("kinds")
def test_again_counts_from_the_answer_not_from_the_showing(client, learner):
    token = bring_up(client, "pick")
    Presentation.objects.filter(token=token).update(shown_at=timezone.now() - timedelta(hours=2))
    client.post(f"/study/{token}/check/", ANSWERS["pick"][0])
    client.post(f"/study/{token}/answer/", {"rating": 1})
    checked = Presentation.objects.get(token=token).checked_at
    progress = Progress.objects.get(user=learner, card__key="pick")
    # fsrs's first learning step after Again is a minute: from the answer, so still ahead.
    assert progress.due > timezone.now()
    assert progress.due == checked + timedelta(minutes=1)


@pytest.mark.usefixtures("kinds")
@pytest.mark.parametrize("sent", [{"choice": ["x"]}, {"choice": ["100"]}, {"choice": ["-1"]}])
def test_positions_that_are_not_small_numbers_are_refused_and_nothing_is_graded(client, sent):
    token = bring_up(client, "pick")

    response = client.post(f"/study/{token}/check/", sent, **HX)

    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert Presentation.objects.get(token=token).checked_at is None


@pytest.mark.usefixtures("kinds")
def test_a_check_sends_back_only_the_cards_back_and_a_refusal_the_whole_card(client):
    token = bring_up(client, "name-it")

    response = client.post(f"/study/{token}/check/", {"text": "future"}, **HX)

    # The answer, its result and the ratings; the card's front and the deck's counts stay.
    fragment = response.content.decode()
    assert fragment.startswith('<div id="card-back"') and "Right!" in fragment
    assert ratings(fragment) == ["2", "3", "4"]
    assert "data-counts" not in fragment and 'id="card"' not in fragment
    assert "HX-Retarget" not in response

    # Checked again once rated: refused, with the whole card (the next one) in place of the old.
    client.post(f"/study/{token}/answer/", {"rating": 3})
    refused = client.post(f"/study/{token}/check/", {"text": "future"}, **HX)
    assert refused.status_code == 409
    assert refused["HX-Retarget"] == "#card"
    assert 'id="card"' in refused.content.decode()
    assert "already answered" in refused.content.decode()


@pytest.mark.usefixtures("kinds")
@pytest.mark.parametrize("moved", ["answered", "pushed back"])
def test_an_answer_read_before_another_tabs_answer_is_refused_as_it_writes(client, learner, moved):
    # The card is started (wrong: Again), then due again, and shown.
    token = bring_up(client, "name-it")
    client.post(f"/study/{token}/check/", {"text": "Task"})
    client.post(f"/study/{token}/answer/", {"rating": 1})
    progress = Progress.objects.get(user=learner, card__key="name-it")
    Progress.objects.filter(pk=progress.pk).update(due=timezone.now() - timedelta(minutes=1))
    token = bring_up(client, "name-it")
    client.post(f"/study/{token}/check/", {"text": "future"})
    now = timezone.now()
    read = reads.presentation(token, learner, lock=True)  # what this answer goes on

    # Meanwhile another tab's answer moves the card on: answered since it was shown, or due later,
    # each alone, so that each of the write's two guards is tried on its own.
    later = {"last_review": now} if moved == "answered" else {"due": now + timedelta(days=1)}
    Progress.objects.filter(pk=progress.pk).update(**later)

    with pytest.raises(service.AnswerRefused, match="not due"), transaction.atomic():
        service.answer(read, 3, 1000, now)
    assert Review.objects.filter(card__key="name-it").count() == 1
    kept = Progress.objects.filter(pk=progress.pk).values(*later).get()
    assert kept == later
