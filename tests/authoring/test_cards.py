"""The card editor: code cards proven before publishing, predict output run, schedules kept."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import yaml
from django.utils import timezone

from quiz.models import Card, Deck, Progress, Review
from quiz.rendering import render_markdown
from tests.authoring.conftest import CODE_CONTENT

pytestmark = pytest.mark.django_db

DECK = "/author/decks/olgas-deck"


def code_post(publish: bool = True, **changes: Any) -> dict[str, Any]:
    content = {**CODE_CONTENT, **changes}
    data = {
        "key": "concurrent-downloads",
        "tags": "tasks, gather",
        "front_en": content["front"],
        "back_en": content["back"],
        "hints_en": "\n".join(content["hints"]),
        "starter": content["starter"],
        "solution": content["solution"],
        "checks": yaml.safe_dump(content["checks"]),
        "wrong-TOTAL_FORMS": str(len(content["wrong"]) + 1),
        "wrong-INITIAL_FORMS": "0",
    }
    for n, wrong in enumerate(content["wrong"]):
        data[f"wrong-{n}-check"] = wrong["check"]
        data[f"wrong-{n}-code"] = wrong["code"]
    if publish:
        data["publish"] = "on"
    return data


@pytest.fixture
def owner_client(client, people, browser_deck):
    client.force_login(people["owner"])
    return client


def test_a_code_card_whose_checks_discriminate_is_published(owner_client):
    response = owner_client.post(f"{DECK}/cards/new/code/", code_post())

    assert response.status_code == 302
    card = Card.objects.get(key="concurrent-downloads")
    assert (card.status, card.tags) == ("published", ["tasks", "gather"])
    assert card.text().content["wrong"] == CODE_CONTENT["wrong"]
    assert card.text().content["checks"] == CODE_CONTENT["checks"]


def test_a_code_card_stays_a_draft_while_its_reference_fails(owner_client):
    sequential = CODE_CONTENT["wrong"][0]["code"]

    response = owner_client.post(
        f"{DECK}/cards/new/code/", code_post(solution=sequential), follow=True
    )

    assert Card.objects.get(key="concurrent-downloads").status == "draft"
    page = response.content.decode()
    assert "The reference solution fails: concurrency, virtual_seconds." in page


def test_a_code_card_stays_a_draft_while_a_wrong_solution_passes(owner_client):
    passing = [{"check": "virtual_seconds", "code": CODE_CONTENT["solution"]}]

    response = owner_client.post(f"{DECK}/cards/new/code/", code_post(wrong=passing), follow=True)

    assert Card.objects.get(key="concurrent-downloads").status == "draft"
    page = response.content.decode()
    assert "Wrong solution 1 does not fail the check “virtual_seconds” it names." in page


def test_run_checks_shows_the_reference_passing_and_the_wrong_solution_failing(owner_client):
    response = owner_client.post(f"{DECK}/run/", code_post(publish=False))

    page = response.content.decode()
    reference, wrong = re.findall(r'<article class="solution-run (\S+)" data-solution', page)
    assert (reference, wrong) == ("as-intended", "as-intended")
    assert "passes every check" in page
    assert re.search(r"fails</strong> [^<]*virtual_seconds", page)
    assert "must fail virtual_seconds" in page
    assert page.count("<svg") == 2
    assert "3 s of program time" in page and "6 s of program time" in page
    assert not Card.objects.filter(key="concurrent-downloads").exists()


def test_a_wrong_solution_must_name_one_of_the_checks(owner_client):
    named = [{"check": "no_blocking", "code": CODE_CONTENT["wrong"][0]["code"]}]

    response = owner_client.post(f"{DECK}/run/", code_post(wrong=named))

    assert "names “no_blocking”, which is not one of the checks" in response.content.decode()


def test_checks_the_runner_cannot_apply_are_refused_with_the_key_named(owner_client):
    data = code_post()
    data["checks"] = "virtual_seconds: {min: fast}\n"

    response = owner_client.post(f"{DECK}/cards/new/code/", data)

    assert response.status_code == 200
    assert "virtual_seconds" in response.content.decode()
    assert not Card.objects.filter(key="concurrent-downloads").exists()


def test_a_predict_cards_output_comes_from_running_its_snippet(owner_client):
    data = {
        "key": "gather-order",
        "front_en": "What does this print?",
        "snippet": (
            "import asyncio\n\nasync def say(word, delay):\n    await asyncio.sleep(delay)\n"
            "    print(word)\n\nasync def main():\n"
            "    await asyncio.gather(say('world', 2), say('hello', 1))\n\nasyncio.run(main())\n"
        ),
        "expected_output": "typed by hand\n",
        "publish": "on",
    }

    owner_client.post(f"{DECK}/cards/new/predict/", data)

    content = Card.objects.get(key="gather-order").text().content
    assert content["expected_output"] == "hello\nworld\n"
    page = owner_client.get(f"{DECK}/cards/gather-order/").content.decode()
    assert re.search(r"<pre data-expected>hello\nworld\n</pre>", page)
    assert 'name="expected_output"' not in page


def test_the_live_preview_renders_text_as_the_study_page_does(owner_client):
    front = "Does `await` **block** the loop?\n\n```python\nawait asyncio.sleep(1)\n```"

    response = owner_client.post(
        f"{DECK}/preview/choice/",
        {"front_en": front, "options_en": "[ ] yes\n[x] no, it *suspends*"},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert str(render_markdown(front)) in page
    assert page.startswith('\n<div id="preview"') or page.lstrip().startswith('<div id="preview"')
    assert "no, it <em>suspends</em>" in page
    assert "<html" not in page
    # Nothing is picked, as on the study page; the right option is named instead.
    assert " checked" not in page
    assert re.search(r"no, it <em>suspends</em></span> <span class=\"tag published\">", page)


def learner_progress(card: Card, *users: Any) -> None:
    now = timezone.now()
    for user in users:
        Progress.objects.create(
            user=user, card=card, state=2, stability=12.0, difficulty=5.0,
            due=now + timedelta(days=12), last_review=now - timedelta(days=1),
        )  # fmt: skip
        Review.objects.create(user=user, card=card, rating=3)


def edit_post(front: str, **extra: str) -> dict[str, str]:
    return {"front_en": front, "back_en": "The coroutine.", "tags": "await", "publish": "on"} | (
        extra
    )


def test_editing_a_published_card_keeps_learners_progress(owner_client, people, browser_deck):
    card = browser_deck.cards.get()
    learner_progress(card, people["learner"])

    owner_client.post(f"{DECK}/cards/what-await-does/", edit_post("What does `await` pause?"))

    progress = Progress.objects.get(card=card)
    assert Card.objects.get(pk=card.pk).text().front == "What does `await` pause?"
    assert (progress.stability, progress.due > timezone.now()) == (12.0, True)


def test_a_change_of_meaning_asks_first_saying_how_many_learners_it_affects(
    owner_client, people, browser_deck
):
    card = browser_deck.cards.get()
    learner_progress(card, people["learner"], people["other"])
    url = f"{DECK}/cards/what-await-does/"

    asked = owner_client.post(url, edit_post("Changed", changes_meaning="on"))

    page = asked.content.decode()
    assert "This resets the schedule of 2 learners" in page
    assert Card.objects.get(pk=card.pk).text().front == "What does `await` suspend?"
    assert Progress.objects.filter(card=card, stability=12.0).count() == 2

    confirmed = owner_client.post(
        url, edit_post("Changed", changes_meaning="on", confirm_reset="on"), follow=True
    )

    assert "The card starts over for 2 learners." in confirmed.content.decode()
    assert Card.objects.get(pk=card.pk).text().front == "Changed"
    for progress in Progress.objects.filter(card=card):
        assert progress.stability is None and progress.due <= timezone.now()
    assert Review.objects.filter(card=card).count() == 2


def test_a_reset_card_is_studied_again_from_the_start(client, people, browser_deck):
    Deck.objects.filter(pk=browser_deck.pk).update(status="published")
    card = browser_deck.cards.get()
    learner_progress(card, people["learner"])
    client.force_login(people["owner"])
    client.post(
        f"{DECK}/cards/what-await-does/",
        edit_post("Changed", changes_meaning="on", confirm_reset="on"),
    )
    client.force_login(people["learner"])

    page = client.get("/decks/olgas-deck/study/").content.decode()
    token = re.search(r"/study/([0-9a-f-]{36})/check/", page).group(1)
    client.post(f"/study/{token}/check/")
    answered = client.post(f"/study/{token}/answer/", {"rating": 3})

    assert "Changed" in page
    assert answered.status_code == 302
    assert Review.objects.filter(card=card, user=people["learner"]).count() == 2


def test_keeping_the_schedule_saves_without_a_reset(owner_client, people, browser_deck):
    card = browser_deck.cards.get()
    learner_progress(card, people["learner"])

    owner_client.post(
        f"{DECK}/cards/what-await-does/",
        edit_post("Reworded", changes_meaning="on", confirm_reset="on", keep_schedule="1"),
    )

    assert Card.objects.get(pk=card.pk).text().front == "Reworded"
    assert Progress.objects.get(card=card).stability == 12.0


def test_without_javascript_run_checks_shows_the_editor_with_the_runs(owner_client):
    response = owner_client.post(f"{DECK}/cards/new/code/", {**code_post(), "run_checks": "1"})

    page = response.content.decode()
    assert 'id="card-editor"' in page and page.count("<svg") == 2
    assert "passes every check" in page
    assert not Card.objects.filter(key="concurrent-downloads").exists()


def test_deleting_a_card_nobody_studies_deletes_it(owner_client, browser_deck):
    page = owner_client.get(f"{DECK}/cards/what-await-does/delete/").content.decode()
    assert "Nobody studies this card" in page

    owner_client.post(f"{DECK}/cards/what-await-does/delete/")

    assert not browser_deck.cards.exists()


def test_deleting_a_card_learners_study_retires_it_and_keeps_their_history(
    owner_client, people, browser_deck
):
    card = browser_deck.cards.get()
    learner_progress(card, people["learner"])
    page = owner_client.get(f"{DECK}/cards/what-await-does/delete/").content.decode()
    assert "1 learner studies this card. It will be retired, not deleted" in page

    owner_client.post(f"{DECK}/cards/what-await-does/delete/")

    card = Card.objects.get(pk=card.pk)
    assert card.retired_at is not None
    assert (Progress.objects.count(), Review.objects.count()) == (1, 1)
    assert owner_client.get(f"{DECK}/cards/what-await-does/").status_code == 404
