"""The admin shows history (reviews, runs, daily counts) read-only, and tags as text."""

from __future__ import annotations

import pytest

from quiz.models import Card, Review, Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(learner, code_deck):
    card = code_deck.cards.get()
    run = Run.objects.create(user=learner, card=card, code="print('hi')", kind="run")
    review = Review.objects.create(user=learner, card=card, rating=3, state_before=1)
    return {"run": run, "review": review, "card": card}


@pytest.mark.parametrize(("model", "name"), [("run", "run"), ("review", "review")])
def test_staff_read_runs_and_reviews_but_cannot_add_change_or_delete_them(
    admin_client, history, model, name
):
    pk = history[name].pk
    listing = admin_client.get(f"/admin/quiz/{model}/").content.decode()
    assert f"/admin/quiz/{model}/add/" not in listing
    assert 'value="delete_selected"' not in listing
    assert admin_client.get(f"/admin/quiz/{model}/add/").status_code == 403
    page = admin_client.get(f"/admin/quiz/{model}/{pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="_save"' not in text and f"/admin/quiz/{model}/{pk}/delete/" not in text
    assert admin_client.get(f"/admin/quiz/{model}/{pk}/delete/").status_code == 403
    # A forged post changes nothing.
    admin_client.post(f"/admin/quiz/{model}/{pk}/change/", {"code": "x", "rating": 1})
    history[name].refresh_from_db()
    assert getattr(history[name], "code", "print('hi')") == "print('hi')"
    assert getattr(history[name], "rating", 3) == 3


@pytest.mark.parametrize("model", ["checkday", "reviewday"])
def test_daily_counts_cannot_be_added(admin_client, model):
    assert admin_client.get(f"/admin/quiz/{model}/add/").status_code == 403


def test_tags_are_shown_and_edited_as_text(admin_client, history):
    card = history["card"]
    card.tags = ["tasks", "gather"]
    card.save()
    assert "tasks, gather" in admin_client.get("/admin/quiz/card/").content.decode()
    page = admin_client.get(f"/admin/quiz/card/{card.pk}/change/").content.decode()
    assert 'value="tasks, gather"' in page
    assert Card.objects.get(pk=card.pk).tags == ["tasks", "gather"]
