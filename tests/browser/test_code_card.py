"""A learner fixes code in the editor, checks it, and reads the verdict and the timeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz.decks.loader import load_decks
from quiz.models import Run
from tests.browser.pages import widest
from tests.code.conftest import code_deck_text, worker  # noqa: F401  (the fixture, used by name)
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"passed": "All checks passed.", "failed": "Some checks failed.", "good": "Good"},
    "ru": {
        "passed": "Все проверки пройдены.",
        "failed": "Часть проверок не пройдена.",
        "good": "Хорошо",
    },
}


@pytest.fixture
def code_cards(tmp_path: Path) -> None:
    for language in ("en", "ru"):
        (tmp_path / f"code.{language}.md").write_text(code_deck_text(language), encoding="utf-8")
    load_decks([tmp_path])


def open_card(browser, live_server, learner, language):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale=language)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "correct-horse-9")
    page.keyboard.press("Enter")
    page.wait_for_url("**/decks/")
    page.goto(f"{live_server.url}/decks/code/study/")
    expect(page.locator(".cm-editor")).to_be_visible()
    return context, page


def replace_line(page, text: str, new: str) -> None:
    """Put the cursor on the line with `text` and type `new` over its code (after the indent)."""
    page.locator(".cm-line", has_text=text).first.click()
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    page.keyboard.press("Backspace")
    page.keyboard.type(new)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_learner_types_a_fix_checks_it_and_sees_ticks_and_the_timeline(
    browser, live_server, learner, code_cards, language
):
    context, page = open_card(browser, live_server, learner, language)
    replace_line(page, 'await download("a")', 'await asyncio.gather(download("a"), download("b"))')
    replace_line(page, 'await download("b")', "")
    page.keyboard.press("Control+Enter")

    verdict = page.locator(".verdict")
    expect(verdict).to_contain_text(WORDS[language]["passed"])
    expect(page.locator(".checks li.pass")).to_have_count(4)
    expect(page.locator(".checks li.fail")).to_have_count(0)
    expect(page.locator("#run .timeline svg")).to_have_count(2)
    expect(page.get_by_role("button", name=WORDS[language]["good"])).to_be_visible()
    page.locator("#run .timelines").scroll_into_view_if_needed()
    screenshot(page, f"code-card-passed-{language}")
    page.locator("#run .timelines").screenshot(path=str(screenshot_path(f"timeline-{language}")))
    context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_wrong_solution_shows_the_failed_check_and_highlights_its_line(
    browser, live_server, learner, code_cards, language
):
    context, page = open_card(browser, live_server, learner, language)
    page.locator(".cm-line").first.click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("import time")
    page.keyboard.press("Enter")
    replace_line(page, "await asyncio.sleep(3)", "time.sleep(3)")
    page.get_by_role("button", name="Check" if language == "en" else "Проверить").click()

    expect(page.locator(".verdict")).to_contain_text(WORDS[language]["failed"])
    expect(page.locator(".checks li.fail", has_text="time.sleep")).to_have_count(1)
    expect(page.locator(".cm-flagged")).to_have_count(1)
    expect(page.locator(".cm-flagged")).to_contain_text("time.sleep(3)")
    expect(page.locator(".tl-blocked").first).to_be_visible()
    screenshot(page, f"code-card-failed-{language}")
    page.locator("#run .timelines").screenshot(
        path=str(screenshot_path(f"timeline-blocked-{language}"))
    )
    context.close()


REFERENCE = {
    "en": ("Reference solution", "Your graded check: 6 s", "The reference solution: 3 s"),
    "ru": ("Эталонное решение", "Ваша оценённая проверка: 6 с", "Эталонное решение: 3 с"),
}


@pytest.mark.parametrize(("language", "viewport"), [("en", (1100, 900)), ("ru", (390, 844))])
def test_after_a_failed_check_the_reference_and_its_timeline_stand_beside_the_learners(
    browser, live_server, learner, code_cards, language, viewport
):
    context, page = open_card(browser, live_server, learner, language)
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    # The starter as it is (one download after the other) fails the time check.
    page.keyboard.press("Control+Enter")
    expect(page.locator(".verdict")).to_contain_text(WORDS[language]["failed"])

    heading, mine, reference = REFERENCE[language]
    solution = page.locator("details.solution")
    expect(solution.locator("summary")).to_have_text(heading)
    expect(solution.locator("pre")).to_contain_text('asyncio.gather(download("a"), download("b"))')
    expect(solution.locator("figcaption")).to_have_text([mine, reference])
    expect(solution.locator(".timeline svg")).to_have_count(2)
    # Nothing was pressed to run it: the learner's one check is their only run.
    assert list(Run.objects.values_list("kind", flat=True)) == ["check"]
    solution.scroll_into_view_if_needed()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, widest(page)
    screenshot(page, f"code-card-reference-{language}-{viewport[0]}")
    context.close()


@pytest.mark.redis
@pytest.mark.usefixtures("worker")
def test_through_a_worker_the_page_says_running_and_picks_up_the_verdict(
    browser, live_server, learner, code_cards, settings
):
    settings.CODE_RUN_WAIT = 0  # no waiting in the request: the page polls
    context, page = open_card(browser, live_server, learner, "en")
    replace_line(page, 'await download("a")', 'await asyncio.gather(download("a"), download("b"))')
    replace_line(page, 'await download("b")', "")
    with page.expect_response(lambda r: r.url.endswith("/code/")) as posted:
        page.keyboard.press("Control+Enter")

    assert "running…" in posted.value.text()
    expect(page.locator(".verdict")).to_contain_text("All checks passed.", timeout=30_000)
    expect(page.locator("#run .timeline svg")).to_have_count(2)
    run = Run.objects.get()
    assert (run.status, run.task_id) == ("done", str(run.run_id))
    context.close()


@pytest.mark.redis
@pytest.mark.usefixtures("worker")
def test_through_a_worker_the_check_answers_with_the_verdict_itself(
    browser, live_server, learner, code_cards
):
    context, page = open_card(browser, live_server, learner, "en")
    replace_line(page, 'await download("a")', 'await asyncio.gather(download("a"), download("b"))')
    replace_line(page, 'await download("b")', "")
    # A Run first, as a learner trying their code would: the worker's sandbox is warm (and the
    # starter's timeline, drawn beside theirs, computed once), as for every learner after the
    # first one.
    page.keyboard.press("Control+Shift+Enter")
    expect(page.locator(".verdict")).to_contain_text("Ran your code.", timeout=30_000)
    checks, polls = [], []
    page.on("request", lambda r: checks.append(r) if r.url.endswith("/code/") else None)
    page.on("request", lambda r: polls.append(r) if "/runs/" in r.url else None)
    page.evaluate(SEEN_AT, "All checks passed.")
    started = page.evaluate("performance.now()")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".verdict")).to_contain_text("All checks passed.", timeout=30_000)
    seen = page.evaluate("window.verdictSeenAt") - started

    # One request, answered with the verdict: no "running…" and no poll in between.
    assert len(checks) == 1 and checks[0].response().status == 200
    assert "running…" not in checks[0].response().text()
    assert polls == []
    # The card turned over in place: the rating buttons, the editor as the learner left it.
    expect(page.get_by_role("button", name="Good")).to_be_visible()
    expect(page.locator(".cm-editor")).to_contain_text("asyncio.gather")
    print(f"\nverdict seen {seen:.0f} ms after Ctrl+Enter (through Redis and a worker)")
    context.close()


# Notes, in the page, the moment (to a frame) a verdict saying `words` is on screen, so that the
# time printed is the learner's and not the test's polling.
SEEN_AT = """words => {
  window.verdictSeenAt = null;
  const look = () => {
    const verdict = document.querySelector(".verdict");
    if (verdict && verdict.textContent.includes(words)) window.verdictSeenAt = performance.now();
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}"""


def screenshot_path(name: str) -> Path:
    return screenshot.__globals__["ARTIFACTS"] / f"{name}.png"
