"""axe-core finds no serious or critical violation on any page, in the light and dark themes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from quiz.decks.loader import load_decks
from tests.browser.pages import PASSWORD, pages, prepare
from tests.browser.test_keyboard import KINDS, TEXT
from tests.code.conftest import code_deck_text
from tests.conftest import log_in, screenshot
from tests.progress.fixtures import History, make_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@pytest.fixture
def history(tmp_path: Path) -> History:
    (tmp_path / "history").mkdir()
    history = make_history(tmp_path / "history")
    call_command("seeddemo", learners=3, days=40, seed=1, stdout=None)
    prepare(history)
    kinds = tmp_path / "kinds"
    kinds.mkdir()
    code = code_deck_text("en").split("\n---\n", 1)[1]
    text = "---\ndeck: kinds\nlanguage: en\ntitle: Kinds\n---\n" + KINDS.format(**TEXT["en"])
    (kinds / "kinds.en.md").write_text(text + code, encoding="utf-8")
    load_decks([kinds])
    return history


def violations(page: Any) -> list[str]:
    """axe's serious and critical violations on the page as it is, one line each.

    axe is loaded as a script of the site's own origin (served by the browser from the file), so
    the page's Content-Security-Policy, which allows no inline script, stays as it is.
    """
    origin = "/".join(page.url.split("/")[:3])
    page.context.route(f"{origin}/__axe.min.js", lambda route: route.fulfill(path=str(AXE)))
    page.add_script_tag(url=f"{origin}/__axe.min.js")
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(
              n => n.target.join(' ') + ' (' + ((n.any[0] || n.all[0] || {}).message || '') + ')'
            ).join(' | '));
        }"""
    )
    return found


def theme(page: Any, dark: bool) -> None:
    """The theme chosen with the toggle, kept in localStorage across pages."""
    page.evaluate(f"localStorage.setItem('loopdeck:theme', '{'dark' if dark else 'light'}')")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_violation_on_any_page(browser, live_server, history, scheme):
    found: dict[str, list[str]] = {}
    for username, visits in pages(history).items():
        if username:
            page = log_in(browser, live_server, username, PASSWORD, "en", (1280, 800))
        else:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(f"{live_server.url}/accounts/login/")
        theme(page, scheme == "dark")
        for name, path in visits:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("load")
            expect(page.locator("html")).to_have_attribute("data-theme", scheme)
            if problems := violations(page):
                found[name] = problems
            if scheme == "dark":
                screenshot(page, f"dark-{name}")
        page.context.close()

    # The study pages: every kind's question and its checked answer, and the done screen.
    page = log_in(browser, live_server, "ada", PASSWORD, "en", (1280, 800))
    theme(page, scheme == "dark")
    page.goto(f"{live_server.url}/decks/kinds/study/")
    page.wait_for_load_state("load")
    for _ in range(6):
        kind = page.locator("article.card").get_attribute("data-card")
        if kind == "make-downloads-concurrent":
            expect(page.locator(".cm-editor")).to_be_visible()
        if problems := violations(page):
            found[f"study-{kind}"] = problems
        if kind == "make-downloads-concurrent":
            page.get_by_role("button", name="Check").click()
            expect(page.locator("[data-graded]")).to_be_visible()
        else:
            page.locator("form.answer-form button[type=submit]").click()
        expect(page.locator("#card-back")).to_have_attribute("data-state", "back")
        if problems := violations(page):
            found[f"study-{kind}-checked"] = problems
        screenshot(page, f"{scheme}-study-{kind}")
        page.locator("button[name=rating]").first.click()
        expect(page.locator(f'article.card[data-card="{kind}"]')).to_have_count(0)
    page.keyboard.press("Shift+Slash")
    if problems := violations(page):
        found["shortcuts"] = problems
    page.context.close()
    assert found == {}, "\n".join(f"{name}: {problems}" for name, problems in found.items())


def test_the_theme_follows_the_system_until_the_toggle_says_otherwise(browser, live_server):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    dark_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_role("button", name="Light theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != dark_bg
    context.close()
