"""Decks in the Author area: creating, who learners see, archiving, copies of file decks."""

from __future__ import annotations

import pytest

from quiz.decks.fileformat import DeckError
from quiz.decks.loader import load_decks
from quiz.models import Deck, Review
from tests.conftest import basic_deck

pytestmark = pytest.mark.django_db


def test_a_teacher_creates_a_draft_deck_they_own(client, people):
    client.force_login(people["other"])

    response = client.post(
        "/author/decks/new/",
        {
            "slug": "event-loops",
            "languages": ["en", "ru"],
            "title_en": "Loops",
            "title_ru": "Циклы",
        },
    )

    assert response["Location"] == "/author/decks/event-loops/"
    deck = Deck.objects.get(slug="event-loops")
    assert (deck.owner, deck.status, deck.source) == (people["other"], "draft", "browser")
    assert {t.language: t.title for t in deck.texts.all()} == {"en": "Loops", "ru": "Циклы"}


def test_a_deck_needs_a_title_in_each_of_its_languages_and_a_free_id(client, people, browser_deck):
    client.force_login(people["owner"])

    response = client.post(
        "/author/decks/new/", {"slug": "olgas-deck", "languages": ["en", "ru"], "title_en": "X"}
    )

    page = response.content.decode()
    assert "A deck with this id exists already." in page
    assert "Give the deck a title in this language." in page


def test_learners_see_published_decks_and_cards_only(client, people, browser_deck):
    client.force_login(people["learner"])
    assert "Olga&#x27;s deck" not in client.get("/decks/").content.decode()
    assert client.get("/decks/olgas-deck/study/").status_code == 404

    Deck.objects.filter(pk=browser_deck.pk).update(status="published")
    browser_deck.cards.update(status="draft")
    page = client.get("/decks/olgas-deck/study/").content.decode()
    assert "Olga&#x27;s deck" in client.get("/decks/").content.decode()
    assert 'data-card="what-await-does"' not in page

    browser_deck.cards.update(status="published")
    page = client.get("/decks/olgas-deck/study/").content.decode()
    assert 'data-card="what-await-does"' in page


def test_the_owner_adds_a_co_author_who_can_then_edit(client, people, browser_deck):
    client.force_login(people["owner"])
    client.post(
        "/author/decks/olgas-deck/edit/",
        {
            "languages": ["en"], "title_en": "Olga's deck", "status": "published",
            "desired_retention": "0.9", "new_per_day": "10", "reviews_per_day": "200",
            "coauthors": [people["other"].pk],
        },
    )  # fmt: skip
    client.force_login(people["other"])

    assert client.get("/author/decks/olgas-deck/edit/").status_code == 200
    assert list(Deck.objects.get(pk=browser_deck.pk).coauthors.all()) == [people["other"]]


def test_deleting_a_deck_nobody_studied_deletes_it(client, people, browser_deck):
    client.force_login(people["owner"])
    page = client.get("/author/decks/olgas-deck/delete/").content.decode()
    assert "Nobody has studied this deck yet" in page

    client.post("/author/decks/olgas-deck/delete/")

    assert not Deck.objects.filter(slug="olgas-deck").exists()


def test_deleting_a_deck_with_history_asks_and_archives_it(client, people, browser_deck):
    Deck.objects.filter(pk=browser_deck.pk).update(status="published")
    Review.objects.create(user=people["learner"], card=browser_deck.cards.get(), rating=3)
    client.force_login(people["owner"])
    page = client.get("/author/decks/olgas-deck/delete/").content.decode()
    assert "It will be archived, not deleted" in page

    client.post("/author/decks/olgas-deck/delete/")

    deck = Deck.objects.get(slug="olgas-deck")
    assert deck.archived_at is not None and Review.objects.count() == 1
    client.force_login(people["learner"])
    assert "Olga&#x27;s deck" not in client.get("/decks/").content.decode()


def test_a_file_deck_is_read_only_and_can_be_copied(client, people, write_deck):
    load_decks([write_deck(basic_deck(2, deck="from-git"), "from-git.en.md")])
    client.force_login(people["other"])

    page = client.get("/author/decks/from-git/").content.decode()
    card_page = client.get("/author/decks/from-git/cards/card-1/").content.decode()
    edit = client.post("/author/decks/from-git/cards/card-1/", {"front_en": "x"})
    client.post("/author/decks/from-git/copy/", {"slug": "mine-now"})

    assert "is edited in git, so it is read-only here" in page
    assert "this card is read-only here" in card_page and "<fieldset disabled>" in card_page
    assert "/delete/" not in card_page
    assert edit.status_code == 403
    copy = Deck.objects.get(slug="mine-now")
    assert (copy.owner, copy.source) == (people["other"], "browser")
    assert list(copy.cards.values_list("key", flat=True)) == ["card-1", "card-2"]


def test_loaddecks_never_overwrites_a_deck_written_in_the_browser(browser_deck, write_deck):
    path = write_deck(basic_deck(1, deck="olgas-deck"), "olgas-deck.en.md")

    with pytest.raises(DeckError, match="written in the browser"):
        load_decks([path])


def test_publishing_the_deck_in_its_settings_shows_it_to_learners(client, people, browser_deck):
    client.force_login(people["coauthor"])
    client.post(
        "/author/decks/olgas-deck/edit/",
        {
            "languages": ["en"], "title_en": "Olga's deck", "status": "published",
            "desired_retention": "0.85", "new_per_day": "5", "reviews_per_day": "100",
        },
    )  # fmt: skip
    client.force_login(people["learner"])

    page = client.get("/decks/").content.decode()

    assert "Olga&#x27;s deck" in page
    deck = Deck.objects.get(pk=browser_deck.pk)
    assert (deck.desired_retention, deck.new_per_day, deck.owner) == (0.85, 5, people["owner"])


def test_the_author_home_counts_each_card_once_whatever_the_number_of_co_authors(
    client, people, browser_deck
):
    browser_deck.coauthors.add(people["other"])  # two co-authors now, one card
    for who in ("owner", "coauthor", "staff"):
        client.force_login(people[who])
        html = client.get("/author/").content.decode()
        row = html[html.index("/author/decks/olgas-deck/") :]
        row = row[: row.index("</tr>")]
        assert "<td>1</td>" in row, (who, row)
