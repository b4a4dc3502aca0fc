"""On a phone (360 and 390 px wide) no page scrolls sideways: wide things scroll inside."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.pages import PASSWORD, overflow, pages, prepare, widest
from tests.conftest import log_in, screenshot
from tests.progress.fixtures import History, make_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(tmp_path: Path) -> History:
    history = make_history(tmp_path)
    call_command("seeddemo", learners=3, days=40, seed=1, stdout=None)
    prepare(history)
    return history


@pytest.mark.parametrize(("language", "width"), [("en", 390), ("ru", 360)])
def test_no_page_is_wider_than_a_phone(browser, live_server, history, language, width):
    too_wide = {}
    for username, visits in pages(history).items():
        if username:
            page = log_in(browser, live_server, username, PASSWORD, language, (width, 844))
        else:
            context = browser.new_context(viewport={"width": width, "height": 844}, locale=language)
            page = context.new_page()
        for name, path in visits:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (name, response.status)
            page.wait_for_load_state("load")
            if overflow(page) > 0:
                too_wide[name] = (overflow(page), widest(page))
            screenshot(page, f"phone-{name}-{language}")
        page.context.close()
    assert too_wide == {}
