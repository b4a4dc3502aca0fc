"""Every card kind answered by keyboard alone, on a desk and on a phone, in English and Russian;
a wrong first answer stays wrong through a reload and an undo; no study page scrolls sideways."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quiz.decks.loader import load_decks
from quiz.models import Presentation, Progress, Review, Run
from tests.browser.pages import overflow, widest
from tests.code.conftest import code_deck_text
from tests.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KINDS = """
## show-me
kind: basic

### Front
{basic}

### Back
{basic_back}

## pick
kind: choice

### Front
{pick}

### Options
- [x] `asyncio.gather`
- [ ] `time.sleep`

## name-it
kind: type-in

### Front
{name_it}

### Answers
- Future

## in-order
kind: order

### Front
{in_order}

### Items
- asyncio.create_task(job())
- await task
- print(task.result())

## prints
kind: predict

### Snippet
```python
print(1 + 1)
print("done")
```

### Front
{prints}
"""

TEXT = {
    "en": {
        "basic": "What does `await` suspend?",
        "basic_back": "The current coroutine only.",
        "pick": "Which call runs coroutines concurrently?",
        "name_it": "Which object is a placeholder for a result?",
        "in_order": "Put the steps in order.",
        "prints": "What does it print?",
    },
    "ru": {
        "basic": "Что приостанавливает `await`?",
        "basic_back": "Только текущую корутину.",
        "pick": "Какой вызов запускает корутины одновременно?",
        "name_it": "Какой объект служит заготовкой для результата?",
        "in_order": "Расставьте шаги по порядку.",
        "prints": "Что напечатает код?",
    },
}

WORDS = {
    "en": {"wrong": "Not quite.", "right": "Right!", "practice": "Practice:", "again": "Again"},
    "ru": {"wrong": "Не совсем.", "right": "Верно!", "practice": "Практика:", "again": "Снова"},
}


@pytest.fixture
def all_kinds(tmp_path: Path) -> None:
    for language in ("en", "ru"):
        code = code_deck_text(language).split("\n---\n", 1)[1]
        head = f"---\ndeck: kinds\nlanguage: {language}\ntitle: Kinds\n---\n"
        text = head + KINDS.format(**TEXT[language]) + code
        (tmp_path / f"kinds.{language}.md").write_text(text, encoding="utf-8")
    load_decks([tmp_path])


def no_sideways_scroll(page, name: str) -> None:
    assert overflow(page) <= 0, (name, overflow(page), widest(page))


def ratings(page) -> list[str]:
    return page.locator("button[name=rating]").evaluate_all("bs => bs.map(b => b.value)")


def expect_recorded_wrong(page, words, kind: str) -> None:
    card = page.locator("#card")
    expect(page.locator("article.card")).to_have_attribute("data-card", kind)
    expect(page.locator("#card-back")).to_have_attribute("data-state", "back")
    expect(card.locator(".result, [data-graded]").first).to_contain_text(words["wrong"])
    assert ratings(page) == ["1"]


@pytest.mark.parametrize(
    ("language", "viewport"), [("en", (1280, 800)), ("ru", (390, 844)), ("en", (390, 844))]
)
def test_every_kind_by_keyboard_alone_and_a_wrong_answer_survives_reload_and_undo(
    browser, live_server, learner, all_kinds, language, viewport
):
    words = WORDS[language]
    tag = f"{language}-{viewport[0]}"
    page = log_in(browser, live_server, "ada", "correct-horse-9", language, viewport)
    page.goto(f"{live_server.url}/decks/kinds/study/")
    page.wait_for_load_state("load")
    card = page.locator("#card")
    kind = page.locator("article.card")

    # "?" lists the shortcuts; Esc closes the list, and so does Enter on its Close button. Either
    # way the focus leaves the list at once: a Space pressed straight after goes to the card, not
    # to the hidden Close button (which the browser left focused until its next frame).
    expect(kind).to_have_attribute("data-card", "show-me")
    no_sideways_scroll(page, "basic")
    page.keyboard.press("Shift+Slash")
    expect(page.locator("#shortcuts")).to_be_visible()
    expect(page.locator("#shortcuts")).to_contain_text("Alt+U")
    no_sideways_scroll(page, "shortcuts")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Slash")
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    expect(page.locator("#shortcuts")).to_be_hidden()

    # Basic: Space turns it over, 3 is Good.
    expect(page.locator("#card-back")).to_have_attribute("data-state", "back")
    page.keyboard.press("3")

    # Choice: the first option has the focus; ArrowDown picks the wrong one, Enter checks.
    expect(kind).to_have_attribute("data-card", "pick")
    no_sideways_scroll(page, "choice")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect_recorded_wrong(page, words, "pick")
    check_reload_and_undo(page, words, "pick", tag)

    # Type-in, rightly: Hard, Good and Easy are offered.
    expect(kind).to_have_attribute("data-card", "name-it")
    page.keyboard.type("future")
    page.keyboard.press("Enter")
    expect(card.locator(".result")).to_contain_text(words["right"])
    assert ratings(page) == ["2", "3", "4"]
    page.keyboard.press("3")

    # Order: each position list takes a digit, Tab moves on, Enter checks. Given in the shown
    # order (never the right one), the answer is wrong, and the result shows what was entered.
    expect(kind).to_have_attribute("data-card", "in-order")
    no_sideways_scroll(page, "order")
    expect(page.locator("select[name=rank]").first).to_be_focused()
    page.keyboard.press("Enter")
    expect_recorded_wrong(page, words, "in-order")
    expect(page.locator(".order-given li")).to_have_count(3)
    check_reload_and_undo(page, words, "in-order", tag)

    # Predict: Shift+Enter is a new line in the box, Enter checks.
    expect(kind).to_have_attribute("data-card", "prints")
    page.keyboard.type("2")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("don")
    expect(page.locator("textarea[name=text]")).to_have_value("2\ndon")
    page.keyboard.press("Enter")
    expect_recorded_wrong(page, words, "prints")
    check_reload_and_undo(page, words, "prints", tag)

    # Code: Ctrl+Enter checks the starter (too slow: wrong), Ctrl+Shift+Enter runs it again as
    # practice, which changes nothing.
    expect(kind).to_have_attribute("data-card", "make-downloads-concurrent")
    expect(page.locator(".cm-editor")).to_be_visible()
    no_sideways_scroll(page, "code")
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-graded]")).to_contain_text(words["wrong"])
    assert ratings(page) == ["1"]
    page.keyboard.press("Control+Shift+Enter")
    expect(page.locator(".verdict-head")).to_contain_text(words["practice"])
    no_sideways_scroll(page, "code-checked")
    screenshot(page, f"keyboard-code-{tag}")
    assert Run.objects.filter(practice=True).count() == 1
    page.keyboard.press("1")

    # Every card is done; the failed ones come back within minutes: counted down.
    expect(card).to_have_attribute("data-state", "done")
    expect(card.locator(".countdown")).to_be_visible()
    no_sideways_scroll(page, "done")
    screenshot(page, f"keyboard-done-{tag}")

    # Alt+U undoes from anywhere: the code card is back, failed, with Again only.
    page.keyboard.press("Alt+U")
    expect(kind).to_have_attribute("data-card", "make-downloads-concurrent")
    expect(page.locator("[data-graded]")).to_contain_text(words["wrong"])
    assert ratings(page) == ["1"]
    page.keyboard.press("1")
    expect(card).to_have_attribute("data-state", "done")

    # Opened by its button and closed by its Close button, the list gives the button its focus back.
    opener = page.locator("[data-shortcuts]")
    opener.click()
    expect(page.locator("#shortcuts")).to_be_visible()
    page.locator("#shortcuts button").click()
    expect(page.locator("#shortcuts")).to_be_hidden()
    expect(opener).to_be_focused()

    reviews = Review.objects.filter(user__username="ada")
    assert reviews.count() == 6
    assert sorted(reviews.values_list("rating", flat=True)) == [1, 1, 1, 1, 3, 3]
    assert Presentation.objects.filter(user__username="ada", correct=False).count() == 4
    page.context.close()


def check_reload_and_undo(page, words, kind: str, tag: str) -> None:
    """Reload shows the recorded failure; Again, then U, shows it again; Again once more."""
    screenshot(page, f"keyboard-{kind}-wrong-{tag}")
    no_sideways_scroll(page, f"{kind}-wrong")
    page.reload()
    page.wait_for_load_state("load")
    expect_recorded_wrong(page, words, kind)
    page.keyboard.press("1")
    expect(page.locator(f'article.card[data-card="{kind}"]')).to_have_count(0)
    # Again brings the card back in a minute; on a slow machine that could come before the
    # next new card, so its return is moved to tomorrow (the code card's stays, for the countdown).
    Progress.objects.filter(card__key=kind).update(due=timezone.now() + timedelta(days=1))
    # From inside a field (the next card's), Alt+U; with no field focused, plain U.
    if page.locator("article.card :is(input, textarea, select)").count():
        page.keyboard.press("Alt+U")
    else:
        page.keyboard.press("u")
    expect_recorded_wrong(page, words, kind)
    page.keyboard.press("1")
    expect(page.locator(f'article.card[data-card="{kind}"]')).to_have_count(0)
    # Again brings the card back in a minute; on a slow machine that could come before the
    # next new card, so its return is moved to tomorrow (the code card's stays, for the countdown).
    Progress.objects.filter(card__key=kind).update(due=timezone.now() + timedelta(days=1))
