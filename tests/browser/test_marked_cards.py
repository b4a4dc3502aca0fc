"""A learner flags and suspends a card while studying, then finds both on their list of marked
cards and takes the marks off there: in English and Russian, on a desk and on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz.models import CardMark
from tests.browser.pages import overflow, widest
from tests.conftest import log_in, screenshot
from tests.study.factories import make_deck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "suspend": "Suspend",
        "list": "Flagged and suspended cards",
        "unflag": "Unflag",
        "unsuspend": "Unsuspend",
        "flag off": "The flag is off.",
        "back": "The card is back in study.",
        "no flagged": "No flagged cards.",
        "no suspended": "No suspended cards.",
    },
    "ru": {
        "suspend": "Приостановить",
        "list": "Карточки с флажком и приостановленные",
        "unflag": "Снять флажок",
        "unsuspend": "Вернуть",
        "flag off": "Флажок снят.",
        "back": "Карточка снова в обучении.",
        "no flagged": "Карточек с флажком нет.",
        "no suspended": "Приостановленных карточек нет.",
    },
}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_a_learner_lists_their_flagged_and_suspended_cards_and_lifts_the_marks(
    browser, live_server, learner, tmp_path: Path, language, viewport
):
    make_deck(tmp_path, 3)
    words = WORDS[language]
    page = log_in(browser, live_server, "ada", "correct-horse-9", language, viewport)
    page.goto(f"{live_server.url}/decks/tiny/study/")
    card = page.locator("article.card")
    expect(card).to_have_attribute("data-card", "card-1")
    page.keyboard.press("KeyF")
    expect(card).to_have_class("card kind-basic flagged")
    page.get_by_role("button", name=words["suspend"]).click()
    expect(card).to_have_attribute("data-card", "card-2")

    page.get_by_role("link", name=words["list"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["list"])
    flagged, suspended = page.locator("section.panel").all()
    expect(flagged.locator(".marked-front")).to_have_text(["Question 1?"])
    expect(suspended.locator(".marked-front")).to_have_text(["Question 1?"])
    expect(flagged.get_by_role("link", name="Tiny deck")).to_be_visible()
    assert overflow(page) <= 0, widest(page)
    screenshot(page, f"marked-cards-{language}-{viewport[0]}")

    url = page.url
    flagged.get_by_role("button", name=words["unflag"]).click()
    expect(page.locator(".message")).to_have_text(words["flag off"])
    expect(page.locator("section.panel").first).to_contain_text(words["no flagged"])
    page.locator("section.panel").nth(1).get_by_role("button", name=words["unsuspend"]).click()
    expect(page.locator(".message")).to_have_text(words["back"])
    expect(page.locator("section.panel").nth(1)).to_contain_text(words["no suspended"])
    assert page.url == url  # swapped in place, no page load
    assert not CardMark.objects.filter(flagged=True).exists()
    assert not CardMark.objects.filter(suspended=True).exists()
    assert overflow(page) <= 0, widest(page)
    page.context.close()
