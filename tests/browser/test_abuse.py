"""What a person meets when the site defends itself: a lockout, a refused upload."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from playwright.sync_api import expect

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    cache.clear()


PASSWORD = "correct-horse-9"


def test_after_five_wrong_passwords_the_page_says_until_when_logging_in_is_blocked(
    page, django_user_model
):
    django_user_model.objects.create_user("ada", password=PASSWORD)
    for attempt in [*["wrong"] * 5, PASSWORD]:
        page.goto(f"{page.base_url}/accounts/login/")
        page.fill("#id_username", "ada")
        page.fill("#id_password", attempt)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Logging in is blocked for 15 minutes, until")
    expect(alert).to_contain_text("Even the right password is refused")
    screenshot(page, "login-locked-out")
    page.goto(f"{page.base_url}/decks/")
    expect(page).to_have_url(f"{page.base_url}/accounts/login/?next=/decks/")


def test_a_60_mb_upload_is_refused_as_a_form_error(page, django_user_model: Any, tmp_path):
    teacher = django_user_model.objects.create_user("tanya", password=PASSWORD)
    teacher.groups.add(Group.objects.get_or_create(name="teacher")[0])
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "tanya")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/decks/")
    page.goto(f"{page.base_url}/author/upload/")
    huge = tmp_path / "huge.en.md"
    with huge.open("wb") as file:
        file.truncate(60_000_000)
    page.set_input_files("input[type=file]", huge)
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.locator(".errorlist")).to_contain_text(
        "The upload is 60.0 MB; uploads may be at most 2.5 MB."
    )
    screenshot(page, "upload-too-large")


def test_sign_up_past_the_limit_for_an_address_says_so(page, settings, django_user_model):
    settings.SIGNUPS_PER_HOUR = 1
    for name in ("first", "second"):
        page.context.clear_cookies()
        page.goto(f"{page.base_url}/accounts/signup/")
        page.fill("#id_username", name)
        page.fill("#id_password1", "a-long-pass-phrase")
        page.fill("#id_password2", "a-long-pass-phrase")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Too many accounts were created from your network in the last hour."
    )
    screenshot(page, "signup-throttled")
    assert list(django_user_model.objects.values_list("username", flat=True)) == ["first"]
