"""Every authoring URL for everyone: anonymous, learner, owner, other teacher, co-author, staff."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from quiz.models import Deck
from quiz.roles import Action, Role, roles_of
from tests.roles.expected import expected_status

pytestmark = pytest.mark.django_db

L, T, C, S = Role.LEARNER, Role.TEACHER, Role.CO_AUTHOR, Role.STAFF
# Each person and the roles they hold toward olga's deck (written in the browser).
HOLDS = {
    "anonymous": frozenset(),
    "learner": frozenset({L}),
    "owner": frozenset({L, T, C}),
    "other": frozenset({L, T}),
    "coauthor": frozenset({L, T, C}),
    "staff": frozenset({L, T, S}),
}
ROLES = list(HOLDS)

URLS = [
    ("get", "/author/", Action.AUTHOR),
    ("get", "/author/decks/new/", Action.AUTHOR),
    ("get", "/author/upload/", Action.AUTHOR),
    ("get", "/author/decks/olgas-deck/", Action.READ_DECK),
    ("get", "/author/decks/olgas-deck/edit/", Action.EDIT_DECK),
    ("get", "/author/decks/olgas-deck/delete/", Action.EDIT_DECK),
    ("get", "/author/decks/olgas-deck/copy/", Action.READ_DECK),
    ("get", "/author/decks/olgas-deck/download/", Action.READ_DECK),
    ("get", "/author/decks/olgas-deck/download/en.md", Action.READ_DECK),
    ("get", "/author/decks/olgas-deck/cards/new/basic/", Action.EDIT_DECK),
    # Read-only only on a deck loaded from a file: on a browser deck the editor is for editors.
    ("get", "/author/decks/olgas-deck/cards/what-await-does/", Action.EDIT_DECK),
    ("get", "/author/decks/olgas-deck/cards/what-await-does/delete/", Action.EDIT_DECK),
    ("post", "/author/decks/olgas-deck/preview/basic/", Action.EDIT_DECK),
    ("post", "/author/decks/olgas-deck/run/", Action.EDIT_DECK),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "action"), URLS, ids=[u[1] for u in URLS])
def test_each_url_answers_each_role(client, people, browser_deck, role, method, url, action):
    """quiz.roles' table is what each person meets at each URL."""
    user = people.get(role, AnonymousUser())
    assert roles_of(user, browser_deck) == HOLDS[role]
    if user.is_authenticated:
        client.force_login(user)
    expected = expected_status(action, HOLDS[role], browser_deck.source)
    response = getattr(client, method)(url)
    assert response.status_code == expected
    if expected == 302:
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
