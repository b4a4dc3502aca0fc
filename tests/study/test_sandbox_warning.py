"""Without bubblewrap every page warns, and production settings refuse to start."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from quiz.runs import sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_bubblewrap(monkeypatch):
    monkeypatch.setattr(sandbox, "bubblewrap_available", lambda: False)


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/decks/"])
def test_every_page_warns_without_bubblewrap(client, learner, no_bubblewrap, url):
    client.force_login(learner)
    page = client.get(url).content.decode()
    assert 'class="banner warning"' in page
    assert "weaker process sandbox" in page


def test_no_warning_with_bubblewrap(client, monkeypatch):
    monkeypatch.setattr(sandbox, "bubblewrap_available", lambda: True)
    assert "banner warning" not in client.get("/accounts/login/").content.decode()


def test_production_settings_without_bubblewrap_fail_the_system_check(settings, no_bubblewrap):
    settings.DEBUG = False
    with pytest.raises(SystemCheckError) as error:
        call_command("check")
    assert "quiz.E001" in str(error.value)


def test_development_settings_without_bubblewrap_only_warn_on_pages(settings, no_bubblewrap):
    settings.DEBUG = True
    call_command("check")
