"""Code typed in the editor survives a reload (a draft kept in the browser); Reset to starter
puts the starter back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_code_card import code_cards, open_card  # noqa: F401  (the fixture, used by name)
from tests.code.conftest import SEQUENTIAL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def editor_text(page) -> str:
    return page.evaluate("document.querySelector('textarea[data-editor]').value")


@pytest.mark.usefixtures("code_cards")
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_draft_is_restored_on_reload_and_reset_brings_back_the_starter(
    browser,
    live_server,
    learner,
    language,
):
    context, page = open_card(browser, live_server, learner, language)
    page.locator(".cm-line", has_text='await download("b")').first.click()
    page.keyboard.press("End")
    page.keyboard.type("  # my draft")

    page.reload()
    expect(page.locator(".cm-editor")).to_be_visible()
    expect(page.locator(".cm-content")).to_contain_text("# my draft")
    assert "# my draft" in editor_text(page)

    reset = "Reset to starter" if language == "en" else "Вернуть исходный код"
    page.get_by_role("button", name=reset).click()
    expect(page.locator(".cm-content")).not_to_contain_text("# my draft")
    assert editor_text(page) == SEQUENTIAL
    context.close()
