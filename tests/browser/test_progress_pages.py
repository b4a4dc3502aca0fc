"""Progress in real Chromium: a learner's own page, a teacher's deck, staff's cohort, EN and RU."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import log_in, screenshot
from tests.progress.fixtures import History, make_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-9"
WORDS = {
    "en": {
        "mine": "My progress",
        "insights": "Deck insights",
        "cohort": "Cohort",
        "hardest": "Hardest cards",
        "table": "Show as a table",
        "fit": "Fit parameters now",
        "fitted": "Not enough reviews to fit yet",
        "streak": "Streak",
        "sort": "Reviews, 30 days",
    },
    "ru": {
        "mine": "Мой прогресс",
        "insights": "Аналитика колод",
        "cohort": "Все учащиеся",
        "hardest": "Самые трудные карточки",
        "table": "Показать таблицей",
        "fit": "Подобрать параметры сейчас",
        "fitted": "Для подбора пока мало повторений",
        "streak": "Серия",
        "sort": "Повторения, 30 дней",
    },
}


@pytest.fixture
def history(tmp_path: Path) -> History:
    history = make_history(tmp_path)
    # A few synthetic learners so that the cohort's charts have something to draw.
    call_command("seeddemo", learners=6, days=60, seed=1, stdout=None)
    for user in (history.ada, history.teacher, history.staff):
        user.set_password(PASSWORD)
        user.save()
    return history


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_learner_opens_their_progress_and_reads_a_chart_as_a_table(
    browser, live_server, history, language
):
    words = WORDS[language]
    page = log_in(browser, live_server, "ada", PASSWORD, language)

    page.get_by_role("link", name=words["mine"]).click()

    expect(page.get_by_role("heading", name=words["mine"], level=1)).to_be_visible()
    expect(page.locator('[data-figure="streak"]')).to_have_text("4")
    expect(page.locator("svg.heatmap rect.level1, svg.heatmap rect.level2").first).to_be_visible()
    forecast = page.locator("figure", has=page.locator("#forecast-title"))
    forecast.get_by_text(words["table"]).click()
    expect(forecast.locator("tbody tr").first.locator("td").nth(1)).to_have_text("2")
    screenshot(page, f"progress-learner-{language}")
    page.context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_teacher_finds_the_hardest_card_of_their_deck(browser, live_server, history, language):
    words = WORDS[language]
    page = log_in(browser, live_server, "tess", PASSWORD, language)

    page.get_by_role("link", name=words["insights"]).click()
    page.get_by_role("link", name="Tiny deck").click()

    expect(page.get_by_role("heading", name=words["hardest"])).to_be_visible()
    rates = [
        float(text.rstrip(" %").replace(",", "."))
        for text in page.locator("ol.hardest li > strong").all_inner_texts()
    ]
    assert rates and rates == sorted(rates, reverse=True)
    screenshot(page, f"progress-deck-{language}")

    page.locator("ol.hardest li a").first.click()
    expect(page).to_have_url(re.compile("/author/decks/tiny/cards/card-"))
    page.context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_staff_sort_learners_drill_down_and_ask_for_a_fit(browser, live_server, history, language):
    words = WORDS[language]
    page = log_in(browser, live_server, "stan", PASSWORD, language)

    page.get_by_role("link", name=words["cohort"]).click()
    expect(page.locator("#active-title")).to_be_attached()
    screenshot(page, f"progress-cohort-{language}")
    page.get_by_role("link", name=words["sort"]).click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text(words["sort"])
    reviews = [int(n) for n in page.locator('td[data-col="reviews"]').all_inner_texts()]
    assert len(reviews) == 8 and reviews == sorted(reviews, reverse=True)
    page.get_by_role("link", name="ada", exact=True).click()

    expect(page.get_by_text(words["streak"])).to_be_visible()
    page.get_by_role("button", name=words["fit"]).click()
    expect(page.locator(".message")).to_contain_text(words["fitted"])
    screenshot(page, f"progress-drilldown-{language}")

    with page.expect_download() as download:
        page.goto(f"{live_server.url}/progress/learners/")
        page.get_by_role("button", name="CSV").first.click()
    assert download.value.suggested_filename.startswith("reviews-")
    page.context.close()
