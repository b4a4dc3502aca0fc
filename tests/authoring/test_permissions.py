"""Every authoring URL for everyone: anonymous, learner, owner, other teacher, co-author, staff."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from quiz.models import Deck

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "learner", "owner", "other", "coauthor", "staff"]
AREA = {"anonymous": 302, "learner": 403, "owner": 200, "other": 200, "coauthor": 200, "staff": 200}
DECK = {**AREA, "other": 403}

URLS = [
    ("get", "/author/", AREA),
    ("get", "/author/decks/new/", AREA),
    ("get", "/author/upload/", AREA),
    ("get", "/author/decks/olgas-deck/", DECK),
    ("get", "/author/decks/olgas-deck/edit/", DECK),
    ("get", "/author/decks/olgas-deck/delete/", DECK),
    ("get", "/author/decks/olgas-deck/copy/", DECK),
    ("get", "/author/decks/olgas-deck/download/", DECK),
    ("get", "/author/decks/olgas-deck/download/en.md", DECK),
    ("get", "/author/decks/olgas-deck/cards/new/basic/", DECK),
    ("get", "/author/decks/olgas-deck/cards/what-await-does/", DECK),
    ("get", "/author/decks/olgas-deck/cards/what-await-does/delete/", DECK),
    ("post", "/author/decks/olgas-deck/preview/basic/", DECK),
    ("post", "/author/decks/olgas-deck/run/", DECK),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "expected"), URLS, ids=[u[1] for u in URLS])
def test_each_url_answers_each_role(client, people, browser_deck, role, method, url, expected):
    if role != "anonymous":
        client.force_login(people[role])
    response = getattr(client, method)(url)
    assert response.status_code == expected[role]
    if expected[role] == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["learner", "other"])
def test_posts_that_change_a_deck_are_refused_and_change_nothing(
    client, people, browser_deck, role
):
    client.force_login(people[role])
    edit = client.post(
        "/author/decks/olgas-deck/cards/what-await-does/",
        {"front_en": "Hijacked", "back_en": "x", "publish": "on"},
    )
    delete = client.post("/author/decks/olgas-deck/delete/")
    assert (edit.status_code, delete.status_code) == (403, 403)
    card = Deck.objects.get(slug="olgas-deck").cards.get()
    assert card.text().front == "What does `await` suspend?"


def test_the_author_link_shows_for_teachers_only(client, people):
    client.force_login(people["learner"])
    assert "/author/" not in client.get("/decks/").content.decode()
    client.force_login(people["other"])
    assert 'href="/author/"' in client.get("/decks/").content.decode()


def test_a_member_of_the_staff_group_edits_every_browser_deck(client, people, browser_deck):
    people["other"].groups.set([Group.objects.get(name="staff")])
    client.force_login(people["other"])

    assert client.get("/author/decks/olgas-deck/cards/what-await-does/").status_code == 200
