"""Bury, suspend and flag from the review screen; "study more today"; Anki's three counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.models import CardMark, Progress
from quiz.study import service
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def shown(html: str) -> tuple[str | None, str | None]:
    card = re.search(r'data-card="([^"]+)"', html)
    token = re.search(r"/study/([0-9a-f-]{36})/check/", html)
    return (card and card.group(1), token and token.group(1))


def counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def test_a_buried_card_waits_until_tomorrow_and_a_suspended_one_until_brought_back(
    client, learner, tmp_path
):
    deck = make_deck(tmp_path, 3)
    client.force_login(learner)
    card, token = shown(client.get("/decks/tiny/study/").content.decode())
    assert card == "card-1"
    page = client.post(f"/study/{token}/bury/", **HX).content.decode()
    assert shown(page)[0] == "card-2" and "Buried until tomorrow." in page
    page = client.post(f"/study/{shown(page)[1]}/suspend/", **HX).content.decode()
    assert shown(page)[0] == "card-3"
    assert counts(page)["new"] == 1

    # Tomorrow the buried card is back; the suspended one is not, until brought back.
    tomorrow = service.start_of_day(learner, timezone.now()) + timedelta(days=1, minutes=1)
    status = service.deck_statuses(learner, [deck], tomorrow)[0]
    assert service.next_card(learner, deck, status, tomorrow)[0].key == "card-1"
    assert status.new_available == 2

    token = shown(page)[1]
    client.post(f"/study/{token}/check/")
    done = client.post(f"/study/{token}/answer/", {"rating": 3}, **HX).content.decode()
    assert shown(done)[0] is None and "Bring back 1 suspended card" in done
    back = client.post("/decks/tiny/unsuspend/", **HX).content.decode()
    assert shown(back)[0] == "card-2"


def test_a_flag_is_toggled_and_shown_on_the_card(client, learner, tmp_path):
    make_deck(tmp_path, 1)
    client.force_login(learner)
    _, token = shown(client.get("/decks/tiny/study/").content.decode())
    page = client.post(f"/study/{token}/flag/", **HX).content.decode()
    assert 'aria-pressed="true"' in page and "card kind-basic flagged" in page
    assert CardMark.objects.get().flagged
    page = client.post(f"/study/{token}/flag/", **HX).content.decode()
    assert 'aria-pressed="false"' in page and not CardMark.objects.get().flagged


def test_study_more_today_raises_the_new_card_limit_for_today_only(client, learner, tmp_path):
    deck = make_deck(tmp_path, 5, new_per_day=2)
    client.force_login(learner)
    for _ in range(2):
        _, token = shown(client.get("/decks/tiny/study/").content.decode())
        client.post(f"/study/{token}/check/")
        client.post(f"/study/{token}/answer/", {"rating": 3})
    done = client.get("/decks/tiny/study/").content.decode()
    assert shown(done)[0] is None and "Study more today: 2 more new cards" in done

    page = client.post("/decks/tiny/more/", **HX).content.decode()
    assert shown(page)[0] == "card-3" and counts(page)["new"] == 2
    tomorrow = service.start_of_day(learner, timezone.now()) + timedelta(days=1, minutes=1)
    assert service.deck_statuses(learner, [deck], tomorrow)[0].new_limit == 2


def test_counts_are_new_learning_and_review_as_anki_shows_them(client, learner, tmp_path):
    deck = make_deck(tmp_path, 6, new_per_day=3)
    now = timezone.now()
    cards = list(deck.cards.order_by("position"))
    for card, state in zip(cards[:3], [1, 3, 2], strict=True):
        Progress.objects.create(
            user=learner, card=card, state=state, stability=2, difficulty=5, step=0,
            due=now - timedelta(minutes=5), last_review=now - timedelta(days=1),
        )  # fmt: skip
    client.force_login(learner)
    page = client.get("/decks/tiny/study/").content.decode()
    # Three unseen cards (limit 3), learning + relearning = 2, one in review.
    assert counts(page) == {"new": 3, "learning": 2, "review": 1}
