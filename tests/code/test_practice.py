"""After a code card's graded check, the editor stays for practice that changes no grade."""

from __future__ import annotations

import re

import pytest

from quiz.models import CheckDay, Presentation, Run
from tests.code.conftest import BLOCKING, CONCURRENT

pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HTTP_HX_REQUEST": "true"}


def ratings(html: str) -> list[str]:
    return re.findall(r'name="rating" value="(\d)"', html)


def test_checks_after_the_graded_one_are_practice_and_not_counted(client, shown):
    client.post(shown, {"code": BLOCKING, "action": "check"}, **HX)
    page = client.post(shown, {"code": CONCURRENT, "action": "check"}, **HX).content.decode()

    graded, practice = Run.objects.order_by("created_at", "pk")
    assert (graded.practice, graded.passed) == (False, False)
    assert (practice.practice, practice.passed) == (True, True)
    # The page says the first check decided, and offers Again only.
    assert "Your first check failed" in page and ratings(page) == ["1"]
    assert "Practice:" in page and "Reference solution" in page
    # Deck insights count the graded check only.
    counted = sum(CheckDay.objects.values_list("attempts", flat=True))
    assert counted == len(graded.verdict["checks"])
    assert Presentation.objects.get().correct is False

    # A reload shows the same: the graded result, the latest practice run, Again only.
    reloaded = client.get("/decks/code/study/").content.decode()
    assert "Your first check failed" in reloaded and ratings(reloaded) == ["1"]


def test_a_passing_first_check_offers_hard_good_easy_and_times_the_answer(client, shown):
    # Before the graded check the reference solution is not on the page.
    before = client.get("/decks/code/study/").content.decode()
    assert "Reference solution" not in before and "gather(download" not in before
    page = client.post(shown, {"code": CONCURRENT, "action": "check"}, **HX).content.decode()
    assert "Your first check passed" in page and ratings(page) == ["2", "3", "4"]
    presentation = Presentation.objects.get()
    assert presentation.checked_at == Run.objects.get().created_at


def test_after_grading_the_card_lists_the_attempts_and_shows_the_reference_solution(client, shown):
    client.post(shown, {"code": BLOCKING, "action": "check"}, **HX)
    page = client.post(shown, {"code": CONCURRENT, "action": "run"}, **HX).content.decode()
    assert page.count("<li><time") == 0  # a run's fragment: the card is not sent again
    card = client.get("/decks/code/study/").content.decode()
    attempts = card.split('class="attempt-list"')[1].split("</ol>")[0]
    assert attempts.count("<li>") == 2 and "practice" in attempts and "graded" in attempts
    # The reference solution's code is on the card (its run: tests/code/test_reference.py).
    solution = card.split('class="solution"')[1].split("</pre>")[0]
    assert "asyncio.gather(download(&quot;a&quot;)" in solution


def test_after_a_reload_the_practice_check_still_sends_the_editors_code(client, shown):
    """The reference solution's own form comes before the code form, not inside it: forms do
    not nest, and a browser reading one inside the other ends the code form at the inner one's
    end, leaving the editor outside it (a practice Check would then send no code)."""
    client.post(shown, {"code": BLOCKING, "action": "check"}, **HX)

    page = client.get("/decks/code/study/").content.decode()

    assert "Reference solution" in page
    code_form = page.split('class="code-form"', 1)[1].split("</form>", 1)[0]
    assert "<form" not in code_form
    assert '<textarea name="code"' in code_form and "data-check" in code_form


@pytest.mark.parametrize(
    ("earlier", "graded"),
    [
        ("queued", False),  # the graded check is on its way: this one is practice
        ("running", False),
        ("error", True),  # it ended with no verdict (the runner down): this one is graded
    ],
)
def test_a_check_while_the_graded_one_is_on_its_way_is_practice_but_not_after_it_failed_to_run(
    client, shown, learner, settings, earlier, graded
):
    settings.CODE_RUNS_IN_FLIGHT = 2
    presentation = Presentation.objects.get()
    first = Run.objects.create(
        user=learner, card=presentation.card, presentation=presentation, code=BLOCKING,
        kind="check", status=earlier,
    )  # fmt: skip

    assert client.post(shown, {"code": CONCURRENT, "action": "check"}, **HX).status_code == 200

    second = Run.objects.exclude(pk=first.pk).get()
    assert (second.practice, second.passed) == (not graded, True)
    assert Presentation.objects.get().correct is (True if graded else None)
