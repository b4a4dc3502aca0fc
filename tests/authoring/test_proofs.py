""" "Run checks" goes through Celery like learners' runs, within per-author limits."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from quiz.authoring import tasks as proofs
from tests.authoring.test_cards import DECK, code_post

pytestmark = pytest.mark.django_db

RUN = f"{DECK}/run/"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    """As with a broker: the proof is queued, and run when the test says."""
    sent: list[str] = []
    monkeypatch.setattr(
        proofs.prove_draft, "apply_async", lambda args, **options: sent.append(args[0])
    )
    return sent


def test_run_checks_shows_the_runs_at_once_without_a_broker(client, people, browser_deck):
    client.force_login(people["owner"])
    page = client.post(RUN, code_post(), **HX).content.decode()
    assert "The checks tell right from wrong" in page
    assert page.count('class="solution-run') == 2


def test_with_a_worker_the_page_polls_until_the_proof_is_in(client, people, browser_deck, queued):
    client.force_login(people["owner"])
    page = client.post(RUN, code_post(), **HX).content.decode()
    status_url = re.search(r'hx-get="([^"]+)"', page).group(1)
    assert "running…" in page and "solution-run" not in page
    assert status_url == f"{DECK}/run/{queued[0]}/"

    # One at a time per author.
    refused = client.post(RUN, code_post(), **HX)
    assert refused.status_code == 429
    assert "Your previous “Run checks” has not finished yet" in refused.content.decode()
    assert len(queued) == 1

    still = client.get(status_url, **HX).content.decode()
    assert 'hx-get="' in still
    proofs.prove_draft(queued[0])  # the worker runs it
    done = client.get(status_url, **HX).content.decode()
    assert "The checks tell right from wrong" in done and 'hx-get="' not in done

    # Another author (even a co-author of this deck) cannot read it.
    client.force_login(people["coauthor"])
    assert client.get(status_url, **HX).status_code == 404


def test_runs_per_minute_are_limited_per_author(client, people, browser_deck, settings):
    settings.AUTHOR_PROOFS_PER_MINUTE = 1
    client.force_login(people["owner"])
    assert client.post(RUN, code_post(), **HX).status_code == 200
    refused = client.post(RUN, code_post(), **HX)
    assert refused.status_code == 429
    assert "That is a lot of runs in one minute." in refused.content.decode()
    client.force_login(people["coauthor"])
    assert client.post(RUN, code_post(), **HX).status_code == 200
