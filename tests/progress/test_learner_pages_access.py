"""The learner's own pages need a login, and only published decks can be taken to Anki."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from quiz.models import Deck, Status
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/settings/"),
        ("get", "/progress/my-reviews.csv"),
        ("get", "/decks/tiny/anki.apkg"),
        ("post", "/progress/retention/tiny/"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, tmp_path, method, url):
    make_deck(tmp_path, 1)
    response = getattr(client, method)(url, {"retention": "0.80"} if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_draft_deck_is_not_downloadable_nor_given_a_retention(client, tmp_path):
    make_deck(tmp_path, 1)
    Deck.objects.filter(slug="tiny").update(status=Status.DRAFT)
    client.force_login(User.objects.create_user("ada"))
    assert client.get("/decks/tiny/anki.apkg").status_code == 404
    assert client.post("/progress/retention/tiny/", {"retention": "0.80"}).status_code == 404
    assert client.get("/progress/retention/tiny/").status_code == 405


def test_a_learners_review_log_holds_only_their_own_reviews(client, tmp_path):
    deck = make_deck(tmp_path, 1)
    ada, bob = User.objects.create_user("ada"), User.objects.create_user("bob")
    card = deck.cards.get()
    for user, rating in ((ada, 3), (bob, 1), (bob, 2)):
        user.review_set.create(card=card, rating=rating)
    client.force_login(ada)
    body = b"".join(client.get("/progress/my-reviews.csv").streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("deck,card,rating,reviewed_at")
    assert len(lines) == 2 and ",3," in lines[1]
