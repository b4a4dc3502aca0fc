"""The study loop over HTTP: order, limits, bad answers refused, undo, bounded queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.models import Card, Presentation, Progress, Review
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def shown_token(html: str) -> str:
    return re.search(r"/study/([0-9a-f-]{36})/check/", html).group(1)


def shown_card(html: str) -> str | None:
    match = re.search(r'data-card="([^"]+)"', html)
    return match.group(1) if match else None


def test_it_requires_login(client, tmp_path):
    make_deck(tmp_path, 1)
    response = client.get("/decks/tiny/study/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_new_cards_come_in_deck_order_within_the_daily_limit(client, learner, tmp_path):
    make_deck(tmp_path, 4, new_per_day=2)
    client.force_login(learner)
    seen = []
    for _ in range(3):
        page = client.get("/decks/tiny/study/").content.decode()
        seen.append(shown_card(page))
        if seen[-1]:
            token = shown_token(page)
            client.post(f"/study/{token}/check/")
            client.post(f"/study/{token}/answer/", {"rating": 3})
    assert seen == ["card-1", "card-2", None]
    assert "Done for now" in page


def test_due_cards_come_before_new_ones(client, learner, tmp_path):
    deck = make_deck(tmp_path, 3)
    Progress.objects.create(
        user=learner, card=deck.cards.get(key="card-3"), state=2, stability=5, difficulty=5,
        due=timezone.now() - timedelta(hours=1), last_review=timezone.now() - timedelta(days=5),
    )  # fmt: skip
    client.force_login(learner)
    assert shown_card(client.get("/decks/tiny/study/").content.decode()) == "card-3"


def test_an_answer_moves_to_the_next_card_in_one_fragment(client, learner, tmp_path):
    make_deck(tmp_path, 2)
    client.force_login(learner)
    token = shown_token(client.get("/decks/tiny/study/").content.decode())
    client.post(f"/study/{token}/check/", **HX)

    fragment = client.post(f"/study/{token}/answer/", {"rating": 3}, **HX).content.decode()

    assert fragment.lstrip().startswith('<section id="card"')
    assert "<html" not in fragment
    assert shown_card(fragment) == "card-2"


def test_answering_twice_counts_once_and_gets_a_409(client, learner, tmp_path):
    make_deck(tmp_path, 2)
    client.force_login(learner)
    token = shown_token(client.get("/decks/tiny/study/").content.decode())
    client.post(f"/study/{token}/check/")

    first = client.post(f"/study/{token}/answer/", {"rating": 3}, **HX)
    second = client.post(f"/study/{token}/answer/", {"rating": 1}, **HX)

    assert first.status_code == 200
    assert second.status_code == 409
    assert "already answered" in second.content.decode()
    assert Review.objects.get().rating == 3


def test_answering_someone_elses_card_is_a_404_and_changes_nothing(
    client, learner, other_learner, tmp_path
):
    make_deck(tmp_path, 1)
    client.force_login(learner)
    token = shown_token(client.get("/decks/tiny/study/").content.decode())

    client.force_login(other_learner)
    response = client.post(f"/study/{token}/answer/", {"rating": 3})

    assert response.status_code == 404
    assert not Review.objects.exists()
    assert not Progress.objects.exists()


def test_answering_a_card_that_is_not_due_is_refused(client, learner, tmp_path):
    deck = make_deck(tmp_path, 1)
    client.force_login(learner)
    token = shown_token(client.get("/decks/tiny/study/").content.decode())
    card = deck.cards.get()
    Progress.objects.create(
        user=learner, card=card, state=2, stability=5, difficulty=5,
        due=timezone.now() + timedelta(days=3), last_review=timezone.now(),
    )  # fmt: skip

    response = client.post(f"/study/{token}/answer/", {"rating": 3})

    assert response.status_code == 409
    assert not Review.objects.exists()


def test_a_rating_outside_1_to_4_is_a_400(client, learner, tmp_path):
    make_deck(tmp_path, 1)
    client.force_login(learner)
    token = shown_token(client.get("/decks/tiny/study/").content.decode())
    assert client.post(f"/study/{token}/answer/", {"rating": 7}).status_code == 400
    assert not Review.objects.exists()


def test_undo_puts_the_card_back_turned_over_with_its_ratings(client, learner, tmp_path):
    make_deck(tmp_path, 2)
    client.force_login(learner)
    token = shown_token(client.get("/decks/tiny/study/").content.decode())
    client.post(f"/study/{token}/check/")
    client.post(f"/study/{token}/answer/", {"rating": 3})

    fragment = client.post("/decks/tiny/undo/", **HX).content.decode()

    assert not Review.objects.exists()
    assert not Progress.objects.exists()
    assert shown_card(fragment) == "card-1"
    # The same presentation, still turned over: its ratings are offered again.
    assert 'data-state="back"' in fragment
    assert f"/study/{token}/answer/" in fragment
    assert Presentation.objects.get(token=token).answered_at is None


def test_undo_of_a_review_restores_the_previous_schedule(client, learner, tmp_path):
    deck = make_deck(tmp_path, 1)
    before = timezone.now() - timedelta(days=4)
    progress = Progress.objects.create(
        user=learner, card=deck.cards.get(), state=2, step=None, stability=4.0, difficulty=6.0,
        due=timezone.now() - timedelta(minutes=5), last_review=before,
    )  # fmt: skip
    client.force_login(learner)
    token = shown_token(client.get("/decks/tiny/study/").content.decode())
    client.post(f"/study/{token}/check/")
    client.post(f"/study/{token}/answer/", {"rating": 1})

    client.post("/decks/tiny/undo/")

    restored = Progress.objects.get(pk=progress.pk)
    assert (restored.state, restored.stability, restored.difficulty) == (2, 4.0, 6.0)
    assert restored.due == progress.due
    assert restored.last_review == before


def test_the_deck_list_shows_due_new_and_next_due(client, learner, tmp_path):
    deck = make_deck(tmp_path, 5, new_per_day=3)
    cards = list(deck.cards.all())
    now = timezone.now()
    Progress.objects.create(user=learner, card=cards[0], state=2, due=now - timedelta(hours=1))
    Progress.objects.create(user=learner, card=cards[1], state=2, due=now + timedelta(days=2))
    client.force_login(learner)

    page = client.get("/decks/").content.decode()

    assert re.search(r'data-count="due">1<', page)
    assert re.search(r'data-count="new">3<', page)
    assert 'data-count="next">now<' in page


def test_an_unknown_url_is_a_styled_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "app.css" in response.content.decode()


def add_history(learner, deck, cards: int, reviews_each: int) -> None:
    now = timezone.now()
    for card in Card.objects.filter(deck=deck).exclude(progress__user=learner)[:cards]:
        Progress.objects.create(
            user=learner, card=card, state=2, stability=3, difficulty=5,
            due=now - timedelta(minutes=card.pk), last_review=now - timedelta(days=3),
        )  # fmt: skip
        Review.objects.bulk_create(
            Review(user=learner, card=card, rating=3, reviewed_at=now - timedelta(days=d))
            for d in range(reviews_each)
        )


@pytest.mark.parametrize("url", ["/decks/", "/decks/tiny/study/"])
def test_query_counts_do_not_grow_with_cards_or_reviews(
    client, learner, tmp_path, django_assert_max_num_queries, url
):
    small = make_deck(tmp_path, 3)
    add_history(learner, small, 2, 2)
    client.force_login(learner)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_run:
        client.get(url)

    big = make_deck(tmp_path, 60)  # same deck id: the deck grows to 60 cards
    assert big.pk == small.pk
    add_history(learner, big, 40, 15)
    Presentation.objects.all().delete()
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        client.get(url)
