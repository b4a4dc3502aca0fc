"""A teacher's Run checks shows the mutants of the reference that the checks let through, with
their diff; tightening the checks leaves none, and the card can then be published."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from quiz.models import Card
from tests.authoring.conftest import CODE_CONTENT
from tests.browser import test_authoring
from tests.browser.test_authoring import PASSWORD, type_code
from tests.conftest import ARTIFACTS, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEAK = "output:\n  lines_any_order: [a done, b done]\n"
STRONG = WEAK + "virtual_seconds: {min: 2.9, max: 3.1}\nconcurrency: 2\nno_blocking: true\n"
WORDS = {
    "en": {
        "code": "Code",
        "run": "Run checks",
        "survives": "survives",
        "what": "gather's awaitables awaited one after another",
        "summary": "0 survive",
        "publish": "Published: learners see this card",
        "save": "Save",
        "published": "Saved and published.",
    },
    "ru": {
        "code": "Код",
        "run": "Запустить проверки",
        "survives": "выживает",
        "what": "то, что собирал gather, ожидается по очереди",
        "summary": "выживают 0",
        "publish": "Опубликована: ученики видят эту карточку",
        "save": "Сохранить",
        "published": "Сохранено и опубликовано.",
    },
}


# The teacher, the learner and their deck, as in the authoring flow.
people = test_authoring.people


@pytest.mark.parametrize("language", ["en", "ru"])
def test_run_checks_shows_surviving_mutants_until_the_checks_are_tight(
    browser, live_server, people, language
):
    words = WORDS[language]
    page = log_in(browser, live_server, "tanya", PASSWORD, language, (1280, 900))
    page.goto(f"{live_server.url}/author/decks/concurrency/")
    page.get_by_role("link", name=words["code"], exact=True).click()
    page.wait_for_load_state("load")
    page.fill("#id_key", "concurrent-downloads")
    page.fill("#id_front_en", "Make the two downloads run **concurrently**.")
    page.fill("#id_front_ru", "Сделайте загрузки **одновременными**.")
    type_code(page, "#id_starter", CODE_CONTENT["starter"])
    type_code(page, "#id_solution", CODE_CONTENT["solution"])
    page.fill("#id_wrong-0-check", "output")
    type_code(page, "#id_wrong-0-code", "print('a done')\n")
    page.fill("#id_checks", WEAK)

    page.get_by_role("button", name=words["run"]).click()

    survivor = page.locator("[data-mutant='sequential-gather@8']")
    expect(survivor).to_contain_text(words["survives"])
    expect(survivor).to_contain_text(words["what"])
    expect(survivor.locator(".diff-del")).to_have_text(
        "-    await asyncio.gather(download('a'), download('b'))"
    )
    expect(survivor.locator(".diff-add")).to_have_text(
        "+    [await download('a'), await download('b')]"
    )
    expect(page.locator(".proof")).to_contain_text("sequential-gather@8")
    page.locator(".mutants").scroll_into_view_if_needed()
    page.locator("#runs").screenshot(path=str(ARTIFACTS / f"author-mutants-{language}.png"))

    page.fill("#id_checks", STRONG)
    page.get_by_role("button", name=words["run"]).click()

    expect(page.locator(".mutants")).to_contain_text(words["summary"])
    expect(page.locator("[data-mutant]")).to_have_count(0)
    page.get_by_label(words["publish"]).check()
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.locator("main")).to_contain_text(words["published"])
    assert Card.objects.get(key="concurrent-downloads").status == "published"
    screenshot(page, f"author-mutants-published-{language}")
    page.context.close()
