""" "Run checks" through Redis: a real worker proves the card; the author's page polls for it."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from quiz.authoring import service as authoring
from tests.authoring.test_cards import code_post

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

HX = {"HTTP_HX_REQUEST": "true"}


def test_a_worker_proves_the_card_and_the_page_picks_the_runs_up(
    client, django_user_model, worker, redis_url, settings
):
    # Web and worker share the cache, as CACHE_URL (by default the Redis broker's URL) makes them.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    teacher = django_user_model.objects.create_user("olga")
    teacher.groups.add(Group.objects.get_or_create(name="teacher")[0])
    authoring.create_deck(teacher, "olgas-deck", {"en": {"title": "Olga's", "description": ""}})
    client.force_login(teacher)

    page = client.post("/author/decks/olgas-deck/run/", code_post(), **HX).content.decode()
    assert "running…" in page
    status_url = re.search(r'hx-get="([^"]+)"', page).group(1)
    proof_id = status_url.rstrip("/").rsplit("/", 1)[1]
    try:
        started = time.monotonic()
        while 'hx-get="' in page:
            assert time.monotonic() - started < 60, worker.log.read_text()
            time.sleep(0.3)
            page = client.get(status_url, **HX).content.decode()
        assert "The checks tell right from wrong" in page
        assert page.count('class="solution-run') == 2
        assert proof_id in worker.log.read_text() or "prove_draft" in worker.log.read_text()
    finally:
        cache.delete_many([f"authorproof:{proof_id}", f"authorproof:in-flight:{teacher.pk}"])
