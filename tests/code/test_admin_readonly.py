"""The admin shows every model; history (reviews, runs, daily counts) and the schedule derived
from it read-only; tags as text."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import timezone

from quiz.models import Card, Presentation, Progress, Review, Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(learner, code_deck):
    card = code_deck.cards.get()
    run = Run.objects.create(user=learner, card=card, code="print('hi')", kind="run")
    review = Review.objects.create(user=learner, card=card, rating=3, state_before=1)
    progress = Progress.objects.create(
        user=learner, card=card, state=Progress.State.REVIEW, stability=3.0, due=timezone.now()
    )
    presentation = Presentation.objects.create(user=learner, card=card, outcomes={})
    return {
        "run": run,
        "review": review,
        "progress": progress,
        "presentation": presentation,
        "card": card,
    }


@pytest.mark.parametrize("name", ["run", "review", "progress", "presentation"])
def test_staff_read_history_and_schedules_but_cannot_add_change_or_delete_them(
    admin_client, history, name
):
    model, pk = name, history[name].pk
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
    forged = {"code": "x", "rating": 1, "stability": 99, "correct": "True", "outcomes": "[]"}
    admin_client.post(f"/admin/quiz/{model}/{pk}/change/", forged)
    history[name].refresh_from_db()
    assert getattr(history[name], "code", "print('hi')") == "print('hi')"
    assert getattr(history[name], "rating", 3) == 3
    assert getattr(history[name], "stability", 3.0) == 3.0
    assert getattr(history[name], "correct", None) is None


def test_every_model_of_the_app_has_a_page_in_the_admin_or_is_edited_in_its_parents(
    admin_client,
):
    inline = {"decktext": "deck", "cardtext": "card"}  # a deck's or card's text per language
    for model in apps.get_app_config("quiz").get_models():
        name = model._meta.model_name
        url = f"/admin/quiz/{inline.get(name, name)}/"
        assert admin_client.get(url).status_code == 200, url


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
