"""Small builders for study tests: a deck of basic cards loaded through the real loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quiz.decks.loader import load_decks
from quiz.models import Deck
from tests.conftest import basic_deck


def make_deck(tmp_path: Path, count: int, **settings: Any) -> Deck:
    path = tmp_path / f"{settings.get('deck', 'tiny')}.en.md"
    path.write_text(basic_deck(count, **settings), encoding="utf-8")
    load_decks([path])
    return Deck.objects.get(slug=settings.get("deck", "tiny"))
