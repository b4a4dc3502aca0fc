"""A teacher writes a code card, proves its checks and publishes it; a learner then studies it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from quiz.authoring import service as authoring
from quiz.models import Card, Deck
from tests.authoring.conftest import CODE_CONTENT
from tests.conftest import ARTIFACTS, basic_deck, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-9"
CHECKS = (
    "output:\n  lines_any_order: [a done, b done]\nvirtual_seconds: {min: 2.9, max: 3.1}\n"
    "concurrency: 2\n"
)
WORDS = {
    "en": {
        "author": "Author",
        "code": "Code",
        "run": "Run checks",
        "passes": "passes every check",
        "fails": "fails",
        "ok": "The checks tell right from wrong",
        "publish": "Published: learners see this card",
        "save": "Save",
        "published": "Saved and published.",
        "passed": "All checks passed.",
    },
    "ru": {
        "author": "Автору",
        "code": "Код",
        "run": "Запустить проверки",
        "passes": "проходит все проверки",
        "fails": "не проходит",
        "ok": "Проверки отличают верное от неверного",
        "publish": "Опубликована: ученики видят эту карточку",
        "save": "Сохранить",
        "published": "Сохранено и опубликовано.",
        "passed": "Все проверки пройдены.",
    },
}


@pytest.fixture
def people(django_user_model: Any) -> dict[str, Any]:
    teacher = django_user_model.objects.create_user("tanya", password=PASSWORD)
    # get_or_create: transactional tests flush the groups the data migration made.
    teacher.groups.add(Group.objects.get_or_create(name="teacher")[0])
    learner = django_user_model.objects.create_user("ada", password=PASSWORD)
    deck = authoring.create_deck(
        teacher,
        "concurrency",
        {
            "en": {"title": "Concurrency", "description": ""},
            "ru": {"title": "Конкурентность", "description": ""},
        },
    )
    Deck.objects.filter(pk=deck.pk).update(status="published")
    return {"teacher": teacher, "learner": learner}


def type_code(page: Any, textarea: str, code: str) -> None:
    """Replace the code in the editor that stands for `textarea`, as a paste would."""
    content = page.locator(f"{textarea} + .cm-editor .cm-content")
    content.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_teacher_proves_and_publishes_a_code_card_that_a_learner_then_studies(
    browser, live_server, people, language
):
    words = WORDS[language]
    page = log_in(browser, live_server, "tanya", PASSWORD, language, (1280, 900))

    page.get_by_role("link", name=words["author"]).click()
    page.locator("tr[data-deck=concurrency] a").click()
    page.get_by_role("link", name=words["code"], exact=True).click()
    page.wait_for_load_state("load")  # htmx listens from DOMContentLoaded on
    page.fill("#id_key", "concurrent-downloads")
    page.fill("#id_tags", "tasks, gather")
    page.fill("#id_front_en", "Make the two downloads run **concurrently**: 3 s, not 6 s.")
    page.fill("#id_front_ru", "Сделайте так, чтобы две загрузки шли **одновременно**: 3 с, а не 6.")
    expect(page.locator("#preview strong").first).to_have_text("concurrently")
    type_code(page, "#id_starter", CODE_CONTENT["starter"])
    expect(page.locator("#preview pre.snippet").first).to_contain_text("await download('b')")
    type_code(page, "#id_solution", CODE_CONTENT["solution"])
    page.fill("#id_wrong-0-check", "virtual_seconds")
    type_code(page, "#id_wrong-0-code", CODE_CONTENT["wrong"][0]["code"])
    page.fill("#id_checks", CHECKS)
    screenshot(page, f"author-code-editor-{language}")

    page.get_by_role("button", name=words["run"]).click()

    reference = page.locator("[data-solution=reference]")
    wrong = page.locator("[data-solution=wrong]")
    expect(reference).to_contain_text(words["passes"])
    expect(wrong).to_contain_text(f"{words['fails']} virtual_seconds")
    expect(page.locator(".proof")).to_contain_text(words["ok"])
    expect(page.locator(".solution-run .timeline svg")).to_have_count(2)
    page.locator("#runs").scroll_into_view_if_needed()
    screenshot(page, f"author-check-results-{language}")
    page.locator("#runs").screenshot(path=str(ARTIFACTS / f"author-runs-{language}.png"))

    page.get_by_label(words["publish"]).check()
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page.locator("main")).to_contain_text(words["published"])
    assert Card.objects.get(key="concurrent-downloads").status == "published"
    page.locator("main > p > a").first.click()
    expect(page.locator("tr[data-card=concurrent-downloads] .tag.published")).to_be_visible()
    screenshot(page, f"author-deck-{language}")
    page.context.close()

    page = log_in(browser, live_server, "ada", PASSWORD, language, (1280, 900))
    page.goto(f"{live_server.url}/decks/concurrency/study/")
    card = page.locator("article.card")
    expect(card).to_have_attribute("data-card", "concurrent-downloads")
    expect(card).to_contain_text("3")
    expect(page.locator(".cm-editor")).to_be_visible()
    type_code(page, "#code-editor", CODE_CONTENT["solution"])
    page.keyboard.press("Control+Enter")
    expect(page.locator(".verdict")).to_contain_text(words["passed"])
    screenshot(page, f"author-learner-studies-{language}")
    page.context.close()


def test_a_teacher_previews_an_upload_then_applies_it_and_sees_problems_listed(
    browser, live_server, people, tmp_path
):
    good = tmp_path / "concurrency.en.md"
    good.write_text(basic_deck(2, deck="concurrency"), encoding="utf-8")
    bad = tmp_path / "broken.en.md"
    bad.write_text(
        basic_deck(2, deck="broken").replace("kind: basic", "kind: basik", 1), encoding="utf-8"
    )
    page = log_in(browser, live_server, "tanya", PASSWORD, "en", (1280, 900))
    page.get_by_role("link", name="Author").click()
    screenshot(page, "author-home-en")
    page.locator("tr[data-deck=concurrency] a").click()
    page.get_by_role("link", name="Settings and co-authors").click()
    screenshot(page, "author-deck-settings-en")
    page.get_by_role("link", name="Author").click()
    page.get_by_role("link", name="Upload deck files").click()

    page.set_input_files("#id_files", str(bad))
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.locator(".upload-problems")).to_contain_text("line 8")
    expect(page.locator(".upload-problems")).to_contain_text("'kind:' must be one of")
    screenshot(page, "author-upload-problems-en")

    page.set_input_files("#id_files", str(good))
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.locator("[data-count=added]")).to_have_text("2")
    screenshot(page, "author-upload-preview-en")
    assert not Card.objects.exists()
    page.get_by_role("button", name="Apply these changes").click()

    expect(page.locator("main")).to_contain_text("The deck files are applied.")
    expect(page.locator("tr[data-card] .tag.draft")).to_have_count(2)
    assert not Deck.objects.filter(slug="broken").exists()
    page.context.close()
