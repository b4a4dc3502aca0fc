"""A learner signs up and studies with the keyboard only, in English and in Russian."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz.decks.loader import load_decks
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECK = {
    "en": """---
deck: first-steps
language: en
title: First steps
---

## what-await-does
kind: basic
tags: await

### Front
What does `await` suspend?

### Back
Only the current coroutine; the event loop runs other tasks meanwhile.

## placeholder-name
kind: type-in
tags: futures

### Front
Which asyncio object is a placeholder for a result someone else sets?

### Answers
- Future

## loops-per-thread
kind: basic
tags: loop

### Front
How many event loops can run in one thread at a time?

### Back
One.
""",
    "ru": """---
deck: first-steps
language: ru
title: Первые шаги
---

## what-await-does
kind: basic
tags: await

### Front
Что приостанавливает `await`?

### Back
Только текущую корутину; цикл событий тем временем выполняет другие задачи.

## placeholder-name
kind: type-in
tags: futures

### Front
Какой объект asyncio служит заготовкой для результата, который установит кто-то другой?

### Answers
- Future

## loops-per-thread
kind: basic
tags: loop

### Front
Сколько циклов событий может одновременно работать в одном потоке?

### Back
Один.
""",
}

WORDS = {
    "en": {
        "signup": "Sign up",
        "decks": "Your decks",
        "right": "Right!",
        "done": "Done for now",
        "title": "First steps",
    },
    "ru": {
        "signup": "Зарегистрироваться",
        "decks": "Ваши колоды",
        "right": "Верно!",
        "done": "На сейчас всё",
        "title": "Первые шаги",
    },
}


@pytest.fixture
def first_steps(tmp_path: Path) -> None:
    for language, text in DECK.items():
        (tmp_path / f"first-steps.{language}.md").write_text(text, encoding="utf-8")
    load_decks([tmp_path])


def front(page, language: str, card: str) -> str:
    return DECK[language].split(f"## {card}\n")[1].split("### Front\n")[1].split("\n")[0]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_sign_up_study_three_cards_by_keyboard_undo_and_finish(
    browser, live_server, first_steps, language
):
    words = WORDS[language]
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale=language)
    context.set_default_timeout(10_000)
    page = context.new_page()

    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_username", f"learner-{language}")
    page.fill("#id_password1", "a-long-passphrase-42")
    page.fill("#id_password2", "a-long-passphrase-42")
    page.get_by_role("button", name=words["signup"]).click()
    expect(page.get_by_role("heading", name=words["decks"])).to_be_visible()
    page.get_by_role("link", name=words["title"]).click()
    # Keys work once htmx has read the page (its script is deferred).
    page.wait_for_load_state("load")

    card = page.locator("#card")
    # Card 1: a basic card. Space reveals the answer, 3 grades it Good.
    expect(card).to_contain_text(front(page, language, "what-await-does").replace("`", ""))
    page.keyboard.press("Space")
    expect(page.locator("#card-back")).to_have_attribute("data-state", "back")
    page.keyboard.press("3")

    # Card 2: type-in. The field has focus; Enter checks; 3 keeps Good.
    expect(page.locator("article.card")).to_have_attribute("data-card", "placeholder-name")
    page.keyboard.type("future")
    page.keyboard.press("Enter")
    expect(card).to_contain_text(words["right"])
    screenshot(page, f"study-checked-{language}")
    page.keyboard.press("3")

    # Undo the last rating: the type-in card comes back with its recorded answer, and is
    # rated again.
    expect(page.locator("article.card")).to_have_attribute("data-card", "loops-per-thread")
    page.keyboard.press("u")
    expect(page.locator("article.card")).to_have_attribute("data-card", "placeholder-name")
    expect(page.locator("#card-back")).to_have_attribute("data-state", "back")
    expect(card).to_contain_text(words["right"])
    page.keyboard.press("3")

    # Card 3: basic again, then the done state with the next due time.
    expect(card).to_contain_text(front(page, language, "loops-per-thread"))
    page.keyboard.press("Space")
    expect(page.locator("#card-back")).to_have_attribute("data-state", "back")
    page.keyboard.press("4")
    expect(card).to_have_attribute("data-state", "done")
    expect(card).to_contain_text(words["done"])
    screenshot(page, f"study-done-{language}")

    from quiz.models import Review

    assert Review.objects.filter(user__username=f"learner-{language}").count() == 3
    context.close()


def test_the_language_switcher_changes_the_interface_and_the_card(page, first_steps, learner):
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "correct-horse-9")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your decks")).to_be_visible()
    page.goto(f"{page.base_url}/decks/first-steps/study/")
    page.wait_for_load_state("load")
    expect(page.locator("#card")).to_contain_text("What does await suspend?")

    page.get_by_role("button", name="RU").click()

    expect(page.locator("#card")).to_contain_text("Что приостанавливает await?")
    expect(page.get_by_role("button", name="Показать ответ")).to_be_visible()
