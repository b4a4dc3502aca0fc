"""Shared fixtures: users, small decks, and access to real services (which CI must have)."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def require(available: bool, what: str) -> None:
    """A test that needs `what` fails in CI when it is missing, and skips elsewhere."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available here")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def default_language() -> None:
    """Each test starts in the default language: a request in another one leaves it active in
    the thread (LocaleMiddleware activates it per request, and a server's next request would
    activate its own), so a test after it would otherwise read Russian where it expects English."""
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    require(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    return url


@pytest.fixture
def learner(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("ada", password="correct-horse-9")


@pytest.fixture
def other_learner(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("bob", password="correct-horse-9")


@pytest.fixture
def write_deck(tmp_path: Path) -> Callable[..., Path]:
    """Write a deck file into a temporary content folder and return its path."""

    def write(text: str, name: str = "deck.en.md") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def basic_deck(count: int, *, deck: str = "tiny", language: str = "en", **settings: Any) -> str:
    """A deck file of `count` basic cards; settings become front matter."""
    meta = "".join(f"{key}: {value}\n" for key, value in settings.items())
    word = {"en": "Question", "ru": "Вопрос"}[language]
    answer = {"en": "Answer", "ru": "Ответ"}[language]
    cards = "".join(
        f"\n## card-{n}\nkind: basic\ntags: t{n % 2}\n\n### Front\n{word} {n}?\n\n"
        f"### Back\n{answer} {n}.\n"
        for n in range(1, count + 1)
    )
    return (
        f"---\ndeck: {deck}\nlanguage: {language}\ntitle: {deck.title()} deck\n{meta}---\n{cards}"
    )


@pytest.fixture
def browser() -> Iterator[Any]:
    """Real headless Chromium (Debian's), driven by Playwright."""
    require(shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(), "Chromium")
    from playwright.sync_api import expect, sync_playwright

    # What a page shows is waited for as long as its actions are: `set_default_timeout` below
    # does not reach `expect`, whose own 5 s ran out twice in about fifteen runs on a loaded
    # machine (a card not yet turned over after Space).
    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def log_in(
    browser: Any,
    live_server: Any,
    username: str,
    password: str,
    language: str = "en",
    viewport: tuple[int, int] = (1100, 800),
) -> Any:
    """A new browser page in `language`, logged in as `username` and on the deck list."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, locale=language)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/decks/")
    return page


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot under test-artifacts/ (kept by CI as an artifact)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
