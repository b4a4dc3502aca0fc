"""A deck as an Anki package: a zip holding the collection database, one note per card."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils.html import escape

from quiz.decks.loader import load_decks
from quiz.models import Card

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parent.parent.parent / "content"
FIELD_SEPARATOR = "\x1f"


@pytest.fixture
def asyncio_deck():
    load_decks([CONTENT / "asyncio.en.md", CONTENT / "asyncio.ru.md"])
    return Card.objects.studyable().filter(deck__slug="asyncio")


def notes_of(apkg: bytes, tmp_path: Path) -> tuple[list[tuple[str, str]], list[dict]]:
    """Open the package as Anki does: its collection database and its decks."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(apkg)) as archive:
        assert {"collection.anki2", "media"} <= set(archive.namelist())
        (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        notes = db.execute("SELECT flds, tags FROM notes").fetchall()
        cards = db.execute("SELECT count(*) FROM cards").fetchone()[0]
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    finally:
        db.close()
    assert cards == len(notes)
    return notes, list(decks.values())


def test_exportapkg_asyncio_writes_an_anki_package_with_one_note_per_card(asyncio_deck, tmp_path):
    out = tmp_path / "asyncio.apkg"
    call_command("exportapkg", "asyncio", "--out", str(out), stdout=io.StringIO())

    notes, decks = notes_of(out.read_bytes(), tmp_path / "open")
    cards = {f"asyncio/{card.key}": card for card in asyncio_deck.prefetch_related("texts")}
    assert cards and len(notes) == len(cards)
    by_key = {}
    for fields, tags in notes:
        question, answer, kind, key = fields.split(FIELD_SEPARATOR)
        by_key[key] = (question, answer, kind, tags.split())
    assert set(by_key) == set(cards)
    assert "asyncio from the ground up" in [deck["name"] for deck in decks]

    for key, card in cards.items():
        question, answer, kind, tags = by_key[key]
        content = card.text("en").content
        assert kind == card.kind
        assert sorted(tags) == sorted(card.tags)
        assert question.strip()
        if card.kind == "code":
            first_line = content["solution"].strip().splitlines()[0]
            assert escape(first_line) in answer
        if card.kind == "predict":
            assert "What does this print?" in question
            shown = content["expected_output"].strip().splitlines()[0]
            assert escape(shown) in answer


def test_a_learner_downloads_the_deck_for_anki(client, asyncio_deck, tmp_path):
    client.force_login(User.objects.create_user("ada"))
    page = client.get("/decks/").content.decode()
    assert 'href="/decks/asyncio/anki.apkg"' in page

    response = client.get("/decks/asyncio/anki.apkg")

    assert response["Content-Disposition"] == 'attachment; filename="asyncio.apkg"'
    notes, _ = notes_of(response.content, tmp_path)
    assert len(notes) == asyncio_deck.count()


def test_an_unknown_deck_is_refused(tmp_path):
    with pytest.raises(Exception, match="No such deck: nope"):
        call_command("exportapkg", "nope", "--out", str(tmp_path / "x.apkg"))


def test_the_russian_package_has_the_russian_cards_and_labels(asyncio_deck, tmp_path):
    out = tmp_path / "asyncio.ru.apkg"
    call_command("exportapkg", "asyncio", "--out", str(out), "--language", "ru",
                 stdout=io.StringIO())  # fmt: skip

    notes, _ = notes_of(out.read_bytes(), tmp_path / "open")
    predict = next(card for card in asyncio_deck if card.kind == "predict")
    (question,) = [
        fields.split(FIELD_SEPARATOR)[0]
        for fields, _ in notes
        if fields.endswith(f"asyncio/{predict.key}")
    ]
    assert "Что выведет эта программа?" in question
    front = predict.text("ru").content["front"].split()[0]
    assert escape(front) in question
