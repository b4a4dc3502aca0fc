"""The learner's flagged and suspended cards: listed, unflagged, brought back; only their own."""

from __future__ import annotations

import pytest

from quiz.models import CardMark
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cards(tmp_path):
    return {card.key: card for card in make_deck(tmp_path, 4).cards.all()}


def listed(html: str, section: str) -> list[str]:
    """The card keys shown in the "flagged" or "suspended" section, in order."""
    part = html.split(f'id="{section}-heading"', 1)[1].split("</section>", 1)[0]
    return [chunk.split('"', 1)[0] for chunk in part.split('data-card="')[1:]]


def test_it_lists_flagged_and_suspended_cards_with_deck_and_front(client, learner, cards):
    CardMark.objects.create(user=learner, card=cards["card-3"], flagged=True)
    CardMark.objects.create(user=learner, card=cards["card-1"], flagged=True, suspended=True)
    CardMark.objects.create(user=learner, card=cards["card-2"], buried_until="2099-01-01T00:00Z")
    client.force_login(learner)
    html = client.get("/cards/marked/").content.decode()
    assert listed(html, "flagged") == ["card-1", "card-3"]
    assert listed(html, "suspended") == ["card-1"]
    assert "Question 3?" in html and "Tiny deck" in html
    assert 'href="/decks/tiny/study/"' in html


def test_another_learners_marks_never_show(client, learner, other_learner, cards):
    CardMark.objects.create(user=other_learner, card=cards["card-2"], flagged=True)
    CardMark.objects.create(user=other_learner, card=cards["card-4"], suspended=True)
    client.force_login(learner)
    html = client.get("/cards/marked/").content.decode()
    assert listed(html, "flagged") == [] and listed(html, "suspended") == []
    assert "No flagged cards." in html and "No suspended cards." in html


@pytest.mark.parametrize("action", ["unflag", "unsuspend"])
def test_lifting_someone_elses_mark_is_refused(client, learner, other_learner, cards, action):
    theirs = CardMark.objects.create(
        user=other_learner, card=cards["card-2"], flagged=True, suspended=True
    )
    client.force_login(learner)
    response = client.post(f"/cards/marks/{theirs.pk}/{action}/", **HX)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.flagged and theirs.suspended


def test_unflag_takes_the_flag_off_and_keeps_the_suspension(client, learner, cards):
    mark = CardMark.objects.create(user=learner, card=cards["card-1"], flagged=True, suspended=True)
    client.force_login(learner)
    html = client.post(f"/cards/marks/{mark.pk}/unflag/", **HX).content.decode()
    assert "The flag is off." in html and html.lstrip().startswith('<div id="marks">')
    assert listed(html, "flagged") == [] and listed(html, "suspended") == ["card-1"]
    mark.refresh_from_db()
    assert not mark.flagged and mark.suspended


def test_unsuspend_without_javascript_brings_the_card_back_into_study(client, learner, cards):
    for key in ("card-1", "card-2", "card-3"):
        CardMark.objects.create(user=learner, card=cards[key], suspended=True)
    mark = CardMark.objects.get(card=cards["card-2"])
    client.force_login(learner)
    response = client.post(f"/cards/marks/{mark.pk}/unsuspend/", follow=True)
    assert response.redirect_chain == [("/cards/marked/", 302)]
    html = response.content.decode()
    assert "The card is back in study." in html
    assert listed(html, "suspended") == ["card-1", "card-3"]
    study = client.get("/decks/tiny/study/").content.decode()
    assert 'data-card="card-2"' in study


def test_lifting_a_mark_takes_a_post(client, learner, cards):
    mark = CardMark.objects.create(user=learner, card=cards["card-1"], flagged=True)
    client.force_login(learner)
    assert client.get(f"/cards/marks/{mark.pk}/unflag/").status_code == 405
    mark.refresh_from_db()
    assert mark.flagged


def test_the_page_asks_a_visitor_to_log_in(client):
    response = client.get("/cards/marked/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_page_is_linked_from_the_deck_list_the_study_page_and_my_progress(
    client, learner, cards
):
    client.force_login(learner)
    for path in ("/decks/", "/decks/tiny/study/", "/progress/"):
        assert 'href="/cards/marked/"' in client.get(path).content.decode(), path


def test_it_speaks_russian(client, learner, cards):
    CardMark.objects.create(user=learner, card=cards["card-1"], flagged=True)
    client.force_login(learner)
    client.cookies["django_language"] = "ru"
    html = client.get("/cards/marked/").content.decode()
    assert "Карточки с флажком и приостановленные" in html and "Снять флажок" in html
    assert "Приостановленных карточек нет." in html
