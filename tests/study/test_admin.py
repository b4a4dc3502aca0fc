"""Staff can open the admin list of every model, with its filters and search."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db

OURS = [model for model in admin.site._registry if model._meta.app_label == "quiz"]


def test_every_model_of_ours_is_in_the_admin():
    names = {model.__name__ for model in OURS}
    assert {"Deck", "Card", "Progress", "Review", "Presentation", "Run"} <= names


@pytest.mark.parametrize("model", OURS, ids=lambda model: model.__name__)
def test_the_list_opens_and_searches(admin_client, tmp_path, model):
    make_deck(tmp_path, 2)
    url = reverse(f"admin:quiz_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    if admin.site._registry[model].search_fields:
        assert admin_client.get(url, {"q": "card"}).status_code == 200
