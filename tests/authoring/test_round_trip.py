"""Files → browser → files: the same ids, kinds, tags, texts, code and checks come back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from quiz.authoring.forms import CardForm
from quiz.decks.fileformat import parse_deck_file, parse_deck_text
from quiz.decks.loader import load_decks
from quiz.models import Card, Deck
from tests.deck.test_python_versions import DECK as VERSIONS_DECK
from tests.deck.test_python_versions import found

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.BASE_DIR) / "content"
FILES = [CONTENT / "asyncio.en.md", CONTENT / "asyncio.ru.md"]


def fake_output(snippet: str, python: str = "") -> tuple[str, str]:
    return f"{len(snippet)}{python}\n", "ok"


def meaning(text: str, deck_id: str) -> list[tuple[Any, ...]]:
    deck = parse_deck_text(text)
    assert deck.deck == deck_id
    return [(card.id, card.kind, card.tags, card.content()) for card in deck.cards]


@pytest.fixture
def copied(client, people) -> Deck:
    load_decks(FILES, predict_output=fake_output)
    client.force_login(people["owner"])
    response = client.post("/author/decks/asyncio/copy/", {"slug": "my-asyncio"})
    assert response.status_code == 302
    return Deck.objects.get(slug="my-asyncio")


def download(client) -> dict[str, str]:
    response = client.get("/author/decks/my-asyncio/download/")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_a_copied_file_deck_downloads_to_the_same_cards(client, copied):
    files = download(client)

    assert sorted(files) == ["my-asyncio.en.md", "my-asyncio.ru.md"]
    for path in FILES:
        original = [(c.id, c.kind, c.tags, c.content()) for c in parse_deck_file(path).cards]
        language = path.name.split(".")[1]
        assert meaning(files[f"my-asyncio.{language}.md"], "my-asyncio") == original
        assert len(original) > 60


def test_the_downloaded_files_load_back_with_loaddecks(client, copied, tmp_path):
    files = download(client)
    single = client.get("/author/decks/my-asyncio/download/ru.md").content.decode()
    assert single == files["my-asyncio.ru.md"]
    before = {
        card.key: (card.kind, card.tags, {t.language: t.content for t in card.texts.all()})
        for card in copied.cards.prefetch_related("texts")
    }
    copied.delete()
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    load_decks([tmp_path], predict_output=fake_output)

    loaded = Deck.objects.get(slug="my-asyncio")
    after = {
        card.key: (card.kind, card.tags, {t.language: t.content for t in card.texts.all()})
        for card in loaded.cards.prefetch_related("texts")
    }
    assert after == before


def written(content: dict[str, Any]) -> dict[str, Any]:
    """What the teacher wrote (a predict card's output is produced again on every save)."""
    return {
        k: v
        for k, v in content.items()
        if k not in ("expected_output", "expected_status", "outputs")
    }


def resubmit(form: CardForm) -> dict[str, Any]:
    """The editor's form posted back exactly as it was shown."""
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    wrong = form.wrong
    data.update({f"wrong-{key}": value for key, value in wrong.management_form.initial.items()})
    for n, sub in enumerate(wrong.forms):
        for name in sub.fields:
            data[f"wrong-{n}-{name}"] = sub[name].value() or ""
    return data


@pytest.mark.parametrize(
    "key",
    [
        "asyncio-what-is-it",  # basic
        "asyncio-run-argument",  # choice
        "switch-keyword",  # type-in
        "old-style-lifecycle",  # order
        "await-plain-value",  # predict
        "make-downloads-concurrent",  # code
    ],
)
def test_saving_a_card_unchanged_in_the_editor_keeps_it_identical(client, copied, key):
    card = copied.cards.get(key=key)
    before = {t.language: written(t.content) for t in card.texts.all()}
    form = CardForm(deck=copied, kind=card.kind, card=card)

    response = client.post(f"/author/decks/my-asyncio/cards/{key}/", resubmit(form))

    assert response.status_code == 302
    card = Card.objects.get(pk=card.pk)
    assert {t.language: written(t.content) for t in card.texts.all()} == before
    assert card.status == "published"


def test_the_pythons_a_deck_names_survive_copy_download_and_editor(client, people, tmp_path):
    found("3.11", "3.12")
    deck_file = tmp_path / "versions.en.md"
    deck_file.write_text(VERSIONS_DECK.replace("python: 3.13", "python: 3.12"), encoding="utf-8")
    load_decks([deck_file], predict_output=fake_output_on)
    client.force_login(people["owner"])
    assert client.post("/author/decks/versions/copy/", {"slug": "my-versions"}).status_code == 302
    text = client.get("/author/decks/my-versions/download/").content
    downloaded = zipfile.ZipFile(io.BytesIO(text)).read("my-versions.en.md").decode()
    # The deck's default is written on each card that used it: the meaning is the same.
    cards = {card.id: card.python for card in parse_deck_text(downloaded).cards}
    assert cards == {
        "deck-default": ["3.12"],
        "side-by-side": ["3.11", "3.12"],
        "own-python": ["3.12"],
        "no-code": [],
    }
    copied = Deck.objects.get(slug="my-versions")
    card = copied.cards.get(key="side-by-side")
    form = CardForm(deck=copied, kind=card.kind, card=card)
    client.post("/author/decks/my-versions/cards/side-by-side/", resubmit(form))
    content = Card.objects.get(pk=card.pk).text().content
    assert content["python"] == ["3.11", "3.12"]
    assert set(content["outputs"]) == {"3.11", "3.12"}


def fake_output_on(snippet: str, python: str = "") -> tuple[str, str]:
    return f"{python}: {len(snippet)}\n", "ok"
