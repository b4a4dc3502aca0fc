"""After a code card's graded check, the reference solution and its timeline, beside the
learner's graded check, without the learner running it; run once for everyone, or never when the
author's Run checks already ran it."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from kombu.exceptions import OperationalError

from quiz.authoring import tasks as proofs
from quiz.models import Card, Run
from quiz.runs import sandbox, tasks
from tests.code.conftest import CONCURRENT, SEQUENTIAL, code_url

pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sandbox_runs(monkeypatch):
    """Every program the sandbox runs, by its source."""
    ran: list[str] = []
    real = sandbox.run

    def counting(source, *args, **kwargs):
        ran.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(sandbox, "run", counting)
    return ran


def reference_part(html: str) -> str:
    return html.split('class="solution"')[1].split("</details>")[0]


def captions(html: str) -> list[str]:
    return re.findall(r"<figcaption>([^<]+)</figcaption>", reference_part(html))


def check(client, user, code: str) -> str:
    client.force_login(user)
    url = code_url(client.get("/decks/code/study/").content.decode())
    return client.post(url, {"code": code, "action": "check"}, **HX).content.decode()


def test_a_failed_check_shows_the_reference_and_its_timeline_beside_the_learners(
    client, learner, code_deck, sandbox_runs
):
    page = check(client, learner, SEQUENTIAL)
    assert "Your first check failed" in page
    part = reference_part(page)
    assert "asyncio.gather(download(&quot;a&quot;), download(&quot;b&quot;))" in part
    assert "It passes every check." in part
    # Side by side on one time scale: the learner's 6 s against the reference's 3 s.
    assert captions(page) == ["Your graded check: 6 s", "The reference solution: 3 s"]
    assert part.count("<svg") == 2
    # The learner ran one check; the reference ran beside it, not as one of their runs.
    assert Run.objects.count() == 1
    assert sandbox_runs.count(CONCURRENT) == 1


def test_a_passed_check_shows_it_too_and_a_reload_shows_it_again(client, learner, code_deck):
    page = check(client, learner, CONCURRENT)
    assert "Your first check passed" in page
    assert captions(page) == ["Your graded check: 3 s", "The reference solution: 3 s"]
    reloaded = client.get("/decks/code/study/").content.decode()
    assert captions(reloaded) == captions(page)


def test_the_second_learner_does_not_run_the_reference_again(
    client, learner, other_learner, code_deck, sandbox_runs
):
    check(client, learner, SEQUENTIAL)
    page = check(client, other_learner, SEQUENTIAL)
    assert captions(page) == ["Your graded check: 6 s", "The reference solution: 3 s"]
    assert sandbox_runs.count(CONCURRENT) == 1


def test_after_the_authors_run_checks_no_learner_runs_the_reference(
    client, learner, code_deck, sandbox_runs
):
    author = User.objects.create_user("olga")
    card = Card.objects.get(deck=code_deck)
    proof_id = proofs.start(author.pk, card.text("en").content)  # eager: proved by now
    assert proofs.result(proof_id, author.pk)["verdicts"]
    ran_by_author = sandbox_runs.count(CONCURRENT)
    assert ran_by_author == 1

    page = check(client, learner, SEQUENTIAL)
    assert captions(page) == ["Your graded check: 6 s", "The reference solution: 3 s"]
    assert sandbox_runs.count(CONCURRENT) == ran_by_author


def test_a_reference_on_its_way_is_polled_for_and_shown_when_in(
    client, learner, code_deck, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        tasks.run_reference, "apply_async", lambda args, **options: queued.append(args)
    )
    page = check(client, learner, SEQUENTIAL)
    assert "Running the reference solution…" in reference_part(page)
    poll = re.search(r'hx-get="(/study/[0-9a-f-]{36}/reference/\?poll=1)"', page).group(1)
    # A reload while it waits queues nothing more.
    client.get("/decks/code/study/")
    assert len(queued) == 1

    still = client.get(poll, **HX).content.decode()
    assert "Running the reference solution…" in still and "?poll=2" in still
    tasks.run_reference(*queued[0])  # the worker runs it
    done = client.get(poll, **HX).content.decode()
    assert done.lstrip().startswith('<div id="reference"') and "hx-get" not in done
    assert re.findall(r"<figcaption>([^<]+)</figcaption>", done) == [
        "Your graded check: 6 s",
        "The reference solution: 3 s",
    ]


def test_with_the_broker_down_the_page_says_so_after_its_polls(
    client, learner, code_deck, monkeypatch
):
    def down(*args, **options):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.run_reference, "apply_async", down)
    page = check(client, learner, SEQUENTIAL)
    token = re.search(r"/study/([0-9a-f-]{36})/reference/", page).group(1)
    last = client.get(f"/study/{token}/reference/?poll=20", **HX).content.decode()
    assert "could not be run right now" in last and "hx-get" not in last


def test_the_reference_stays_hidden_from_others_and_before_grading(
    client, learner, other_learner, code_deck
):
    client.force_login(learner)
    token = re.search(
        r"/study/([0-9a-f-]{36})/code/", client.get("/decks/code/study/").content.decode()
    ).group(1)
    # Before the graded check there is nothing to poll for.
    assert client.get(f"/study/{token}/reference/", **HX).status_code == 404
    check(client, learner, SEQUENTIAL)
    client.force_login(other_learner)
    assert client.get(f"/study/{token}/reference/", **HX).status_code == 404


def test_it_speaks_russian(client, learner, code_deck):
    client.cookies["django_language"] = "ru"
    page = check(client, learner, SEQUENTIAL)
    assert captions(page) == ["Ваша оценённая проверка: 6 с", "Эталонное решение: 3 с"]


@pytest.mark.redis
def test_through_a_worker_the_reference_runs_there_and_the_page_picks_it_up(
    client, learner, code_deck, worker, redis_url, settings
):
    # Web and worker share the cache, as CACHE_URL (by default the Redis broker's URL) makes them.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    # The one worker process runs the reference (queued as the card is drawn) before the check:
    # on a busy machine that is more than the default wait, after which the Check polls.
    settings.CODE_RUN_WAIT = 60
    content = Card.objects.get(deck=code_deck).text("en").content
    key = tasks.verdict_key(*tasks.reference_job(content))
    cache.delete_many([key, f"{key}:queued"])
    try:
        page = check(client, learner, SEQUENTIAL)
        assert "Your first check failed" in page
        # Queued to the worker as the card was drawn: the page polls for it.
        assert "Running the reference solution…" in reference_part(page)
        started = time.monotonic()
        while "hx-get" in reference_part(page):
            assert time.monotonic() - started < 60, worker.log.read_text()
            time.sleep(0.5)
            poll = re.search(r'hx-get="(/study/[^"]+/reference/[^"]*)"', page).group(1)
            page = client.get(poll, **HX).content.decode()
            page = f'class="solution"{page}</details>'
        assert captions(page) == ["Your graded check: 6 s", "The reference solution: 3 s"]
        assert "run_reference" in worker.log.read_text()
    finally:
        cache.delete_many([key, f"{key}:queued"])
