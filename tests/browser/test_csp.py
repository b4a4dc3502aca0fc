"""The Content-Security-Policy holds on the main pages: no violation while they are used.

The policy (quiz/settings.py) allows scripts and style sheets from the site only; the pages,
htmx swaps, CodeMirror and the run timelines must work without anything it refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from quiz.authoring import service as authoring
from quiz.authoring.service import CardDraft
from quiz.decks.loader import load_decks
from tests.authoring.conftest import CODE_CONTENT
from tests.code.conftest import code_deck_text
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-9"
# Chromium reports each refusal on the console and as a securitypolicyviolation event.
LISTEN = """
document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`));
"""


@pytest.fixture
def site(tmp_path: Path, django_user_model: Any) -> None:
    (tmp_path / "code.en.md").write_text(code_deck_text("en"), encoding="utf-8")
    load_decks([tmp_path])
    staff = django_user_model.objects.create_superuser("stan", password=PASSWORD)
    staff.groups.add(Group.objects.get_or_create(name="teacher")[0])
    deck = authoring.create_deck(
        staff, "stans-deck", {"en": {"title": "Stan's", "description": ""}}
    )
    draft = CardDraft(key="gather", kind="code", tags=[], contents={"en": dict(CODE_CONTENT)})
    authoring.save_card(deck, None, draft, publish=False)


def test_the_main_pages_work_under_the_policy_without_a_violation(browser, live_server, site):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en")
    context.set_default_timeout(20_000)
    context.add_init_script(LISTEN)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: {m.text} ({m.location.get('url')})")
            if (m.type == "error" and "favicon.ico" not in m.location.get("url", ""))
            or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    url = live_server.url

    response = page.goto(f"{url}/accounts/signup/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "stan")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/decks/")

    # The study loop: CodeMirror, an htmx post, the verdict with its timelines.
    page.goto(f"{url}/decks/code/study/")
    expect(page.locator(".cm-editor")).to_be_visible()
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".verdict")).to_be_visible()
    expect(page.locator(".timeline svg").first).to_be_visible()
    screenshot(page, "csp-study-code-card")

    # The card editor: CodeMirror, the live preview and "Run checks" through htmx.
    page.goto(f"{url}/author/decks/stans-deck/cards/gather/")
    expect(page.locator(".cm-editor").first).to_be_visible()
    page.get_by_role("button", name="Run checks").click()
    expect(page.locator(".solution-run").first).to_be_visible()
    screenshot(page, "csp-card-editor")

    for path in ("/progress/", "/progress/decks/", "/progress/learners/", "/author/", "/admin/",
                 "/admin/quiz/run/"):  # fmt: skip
        page.goto(f"{url}{path}")
        expect(page.locator("body")).to_be_visible()
    context.close()
    assert problems == [], "\n".join(problems)
