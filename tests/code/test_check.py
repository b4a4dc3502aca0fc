"""Checking code on a code card, eagerly: the verdict, its ticks, its timeline, the rating."""

from __future__ import annotations

import re

import pytest

from quiz.models import Presentation, Review, Run
from tests.code.conftest import BLOCKING, CONCURRENT, SEQUENTIAL

# Transactional, so the run is handed to Celery on commit exactly as in production.
pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HTTP_HX_REQUEST": "true"}


def post(client, url, code, action="check"):
    return client.post(url, {"code": code, "action": action}, **HX)


def test_the_card_shows_the_starter_in_an_editor_with_run_and_check(client, shown):
    page = client.get("/decks/code/study/").content.decode()
    assert "data-editor" in page
    assert "await download(&quot;a&quot;)" in page
    assert ">Run <kbd>" in page and ">Check <kbd>" in page
    assert "Awaiting one coroutine after another" in page


def test_a_passing_check_shows_ticks_a_timeline_and_offers_good(client, shown):
    response = post(client, shown, CONCURRENT)
    page = response.content.decode()
    assert response.status_code == 200
    assert "All checks passed." in page
    assert page.count("✓") >= 4 and "✗" not in page.split('class="checks"')[1].split("</ul>")[0]
    assert "3 s of program time" in page
    assert "<svg" in page and "download()" in page
    assert 'value="3"' in page and 'value="1"' not in page
    run = Run.objects.get()
    assert (run.status, run.passed, run.kind) == ("done", True, "check")
    assert Presentation.objects.get().correct is True


def test_the_graded_verdict_turns_the_card_over_and_leaves_the_editor_alone(client, shown):
    """Only what the graded check changes is sent: the verdict in place of "running…", and out
    of band the graded result, the practice label and button, and the rating buttons; the
    editor with what the learner typed, the counts and the card's front stay as they are."""
    response = post(client, shown, SEQUENTIAL)
    html = response.content.decode()

    assert "HX-Retarget" not in response
    assert html.lstrip().startswith('<div id="run"')
    swapped = re.findall(r'<\w+[^>]*\bid="([\w-]+)"[^>]*hx-swap-oob="true"', html)
    assert swapped == ["graded", "editor-label", "check-button", "card-back"]
    assert "Your first check failed" in html and ">Practice check <kbd>" in html
    assert 'name="rating" value="1"' in html
    assert "<textarea" not in html and 'id="card"' not in html and "data-counts" not in html
    assert "Awaiting one coroutine after another" not in html  # the card's front


def test_a_failing_check_shows_the_failed_message_and_gives_again(client, shown):
    page = post(client, shown, SEQUENTIAL)
    html = page.content.decode()
    assert "Some checks failed." in html
    assert "6 s of program time" in html
    assert 'name="rating" value="1"' in html and 'value="3"' not in html
    client.post(page.wsgi_request.path.replace("/code/", "/answer/"), {"rating": "1"}, **HX)
    assert Review.objects.get().rating == 1


def test_a_blocking_call_points_at_its_line(client, shown):
    html = post(client, shown, BLOCKING)
    html = html.content.decode()
    line = BLOCKING.splitlines().index("    time.sleep(3)") + 1
    assert f'data-line="{line}"' in html
    assert f'data-lines="{line}"' in html  # the editor flags the verdict's lines
    assert "blocked the event loop" in html
    assert "loop blocked" in html


def test_run_shows_output_without_grading(client, shown):
    response = post(client, shown, CONCURRENT, "run")
    html = response.content.decode()
    assert "HX-Retarget" not in response
    assert "a done" in html and "Ran your code." in html
    assert 'class="checks"' not in html
    assert Presentation.objects.get().correct is None


def test_the_comparing_card_draws_the_starter_beside_the_learners_run(client, shown):
    html = post(client, shown, CONCURRENT, "run")
    html = html.content.decode()
    assert "The starter code: 6 s" in html and "Your code: 3 s" in html
    assert html.count("<svg") == 2


def test_the_verdict_is_in_russian_for_a_russian_learner(client, shown):
    client.cookies["django_language"] = "ru"
    html = post(client, shown, SEQUENTIAL)
    html = html.content.decode()
    assert "Часть проверок не пройдена." in html
    assert "6 с программного времени" in html
    assert "Программа заняла 6 с виртуального времени" in html


def test_another_learner_cannot_post_code_to_my_card(client, shown, other_learner):
    client.force_login(other_learner)
    response = post(client, shown, CONCURRENT)
    assert response.status_code == 404
    assert not Run.objects.exists()


def test_without_javascript_the_form_posts_and_the_page_shows_the_verdict(client, shown):
    response = client.post(shown, {"code": CONCURRENT, "action": "check"})
    assert response.status_code == 302 and response["Location"] == "/decks/code/study/"
    page = client.get("/decks/code/study/").content.decode()
    assert "All checks passed." in page and "<svg" in page
    assert 'name="rating" value="3"' in page


def test_a_card_already_answered_takes_no_more_code(client, shown):
    post(client, shown, CONCURRENT)
    client.post(shown.replace("/code/", "/answer/"), {"rating": "3"}, **HX)
    response = post(client, shown, CONCURRENT)
    assert response.status_code == 409
    assert "This card was already answered." in response.content.decode()
    assert Run.objects.count() == 1


def test_a_flood_of_events_shows_the_first_twenty_and_how_many_more(client, shown):
    flood = (
        "import asyncio\nimport time\n\n\nasync def one(n):\n    time.sleep(0.01)\n\n\n"
        "async def main():\n    await asyncio.gather(*(one(n) for n in range(50)))\n\n\n"
        "asyncio.run(main())\n"
    )
    html = post(client, shown, flood, "run").content.decode()
    assert html.count('class="line-link"') == 20
    assert "… and 30 more events" in html
