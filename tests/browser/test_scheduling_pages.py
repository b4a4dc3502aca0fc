"""The learner's own scheduling in real Chromium: sign-up's time zone, the settings page, the
workload simulator on My progress, and Download for Anki."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from quiz.models import LearnerSettings, PersonalRetention
from tests.conftest import log_in, screenshot
from tests.study.factories import make_deck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-9"


@pytest.fixture
def ada(tmp_path: Path) -> User:
    make_deck(tmp_path, 30, new_per_day=8)
    return User.objects.create_user("ada", password=PASSWORD)


def test_sign_up_takes_the_browsers_time_zone(browser, live_server, tmp_path):
    make_deck(tmp_path, 3)
    context = browser.new_context(timezone_id="Asia/Vladivostok", locale="en")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.locator("#id_time_zone")).to_have_value("Asia/Vladivostok")
    page.fill("#id_username", "vlad")
    page.fill("#id_password1", "a-long-enough-password-42")
    page.fill("#id_password2", "a-long-enough-password-42")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/decks/")

    assert LearnerSettings.objects.get(user__username="vlad").time_zone == "Asia/Vladivostok"
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Vladivostok")
    context.close()


def test_a_learner_changes_their_day_and_scheduling_settings(browser, live_server, ada):
    page = log_in(browser, live_server, "ada", PASSWORD)

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Next day starts at")).to_have_value("4")
    page.get_by_label("Time zone").select_option("Europe/Moscow")
    page.get_by_label("Next day starts at").select_option("5")
    page.get_by_label("Saturday").check()
    page.get_by_label("Sunday").check()
    page.get_by_label("use my own FSRS parameters").uncheck()
    screenshot(page, "settings-filled")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Settings saved.")).to_be_visible()
    saved = LearnerSettings.objects.get(user=ada)
    assert (saved.time_zone, saved.day_starts_at, saved.easy_days) == ("Europe/Moscow", 5, [5, 6])
    assert not saved.use_fitted_parameters and saved.load_balancing
    expect(page.get_by_label("Saturday")).to_be_checked()
    screenshot(page, "settings-saved")
    page.context.close()


def test_a_learner_picks_a_retention_from_the_workload_simulator(browser, live_server, ada):
    page = log_in(browser, live_server, "ada", PASSWORD)
    page.get_by_role("link", name="My progress").click()

    simulator = page.locator("#workload")
    expect(simulator.get_by_role("heading", name="Workload simulator")).to_be_visible()
    expect(simulator.locator("svg polyline")).to_have_count(3)
    expect(simulator.locator('tr.current[data-retention="0.90"]')).to_be_visible()
    simulator.scroll_into_view_if_needed()
    screenshot(page, "workload-simulator")

    simulator.get_by_role("combobox", name="Desired retention").select_option("0.80")
    simulator.get_by_role("button", name="Use for my reviews").click()

    expect(page.get_by_text("now scheduled for 80 % retention")).to_be_visible()
    expect(page.locator('#workload tr.current[data-retention="0.80"]')).to_be_visible()
    assert PersonalRetention.objects.get(user=ada).desired_retention == 0.8
    page.context.close()


def test_a_learner_downloads_a_deck_for_anki(browser, live_server, ada, tmp_path):
    page = log_in(browser, live_server, "ada", PASSWORD)
    screenshot(page, "decks-download-for-anki")

    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download for Anki").click()
    download = waiting.value
    assert download.suggested_filename == "tiny.apkg"
    saved = tmp_path / "tiny.apkg"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "collection.anki2")
    assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == 30
    db.close()
    page.context.close()
