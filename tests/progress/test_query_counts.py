"""Every progress page makes the same number of queries for a small and a larger history."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.progress.fixtures import check_run, review
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db

PAGES = [
    ("ada", "/progress/"),
    ("stan", "/progress/learners/"),
    ("stan", "/progress/learners/?sort=retention&page=1"),
    ("stan", "/progress/learners/{ada}/"),
    ("tess", "/progress/decks/"),
    ("tess", "/progress/decks/tiny/"),
    ("tess", "/progress/decks/tiny/?days=0"),
]


def grow(history, tmp_path) -> None:
    """Ten times the cards, more learners, reviews and runs."""
    deck = make_deck(tmp_path, 40)  # the same deck id: "tiny" grows to 40 cards
    assert deck.pk == history.deck.pk
    cards = list(deck.cards.all())
    learners = [history.ada, *(User.objects.create_user(f"extra-{i}") for i in range(6))]
    for learner in learners:
        for n, card in enumerate(cards):
            review(learner, card, n % 20, 1 + n % 4, history.now, before=2, stability=n)
            review(learner, card, n % 9, 3, history.now, before=None)
        for _ in range(3):
            check_run(learner, history.cards["code-1"], {"output": False, "events": True})


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_query_counts_do_not_grow_with_the_data(client, history, tmp_path, who, url):
    url = url.format(ada=history.ada.pk)
    client.force_login(User.objects.get(username=who))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(history, tmp_path)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) <= len(small.captured_queries)
    assert len(small.captured_queries) <= 20
