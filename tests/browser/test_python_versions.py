"""Cards on named Pythons in Chromium: the author compares two versions side by side, the learner
predicts the first and sees both, and a code card's run says which Python ran."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from quiz.decks.loader import load_decks
from runner import pythons
from tests.conftest import log_in, screenshot
from tests.deck.test_python_versions import DECK, found

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-9"
HEAD = "---\ndeck: {slug}\nlanguage: en\ntitle: {title}\n---\n\n"


def card(key: str) -> str:
    start = DECK.index(f"## {key}")
    end = DECK.index("\n## ", start + 1)
    return DECK[start : end + 1]


@pytest.fixture
def decks(tmp_path, django_user_model: Any) -> None:
    found("3.11", "3.12", "3.13")
    (tmp_path / "compare.en.md").write_text(
        HEAD.format(slug="compare", title="Versions compared") + card("side-by-side")
    )
    (tmp_path / "newest.en.md").write_text(
        HEAD.format(slug="newest", title="Newest Python") + card("own-python")
    )
    load_decks([tmp_path])
    django_user_model.objects.create_superuser("tanya", password=PASSWORD)
    django_user_model.objects.create_user("ada", password=PASSWORD)


def side_by_side(first: Any, second: Any) -> None:
    a, b = first.bounding_box(), second.bounding_box()
    assert abs(a["y"] - b["y"]) < 2 and a["x"] + a["width"] <= b["x"]


def test_the_author_sees_each_pythons_output_side_by_side(browser, live_server, decks):
    page = log_in(browser, live_server, "tanya", PASSWORD)
    page.goto(f"{live_server.url}/author/decks/compare/cards/side-by-side/")
    old, new = page.locator('[data-python="3.11"]'), page.locator('[data-python="3.12"]')
    expect(old).to_contain_text("Python 3.11")
    expect(old.locator("pre")).to_have_text("0 []")
    expect(new.locator("pre")).to_have_text("1 ['There is no current event loop']")
    side_by_side(old, new)
    screenshot(page, "python-versions-author")


def test_the_learner_predicts_the_first_python_and_sees_both(browser, live_server, decks):
    page = log_in(browser, live_server, "ada", PASSWORD)
    page.goto(f"{live_server.url}/decks/compare/study/")
    expect(page.locator(".python-version")).to_have_text("Predict what it prints on Python 3.11.")
    page.fill("textarea[name=text]", "0 []")
    page.get_by_role("button", name="Check").click()
    old, new = page.locator('[data-python="3.11"]'), page.locator('[data-python="3.12"]')
    expect(new.locator("pre")).to_have_text("1 ['There is no current event loop']")
    expect(old.locator("pre")).to_have_text("0 []")
    side_by_side(old, new)
    screenshot(page, "python-versions-study")


def test_a_code_run_says_which_python_ran_it(browser, live_server, decks):
    page = log_in(browser, live_server, "ada", PASSWORD)
    page.goto(f"{live_server.url}/decks/newest/study/")
    page.get_by_role("button", name="Check").first.click()
    version = pythons.choose("3.13").version
    expect(page.locator(".verdict .python-version")).to_have_text(f"Python {version}")
    screenshot(page, "python-versions-code")
