"""Write a deck as an Anki package (.apkg) that Anki imports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quiz.decks.anki import apkg_bytes
from quiz.models import Card, Deck


class Command(BaseCommand):
    help = "Write DECK as an Anki package: one note per card, code cards as question and answer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("deck", metavar="DECK", help="the deck's id (slug)")
        parser.add_argument("--out", required=True, metavar="FILE.apkg")
        parser.add_argument("--language", default=None, help="en, ru (default: English)")

    def handle(self, *args: Any, deck: str, out: str, language: str | None, **options: Any) -> None:
        found = Deck.objects.filter(slug=deck).prefetch_related("texts").first()
        if found is None:
            raise CommandError(f"No such deck: {deck}")
        data = apkg_bytes(found, language or "en")
        Path(out).write_bytes(data)
        count = Card.objects.studyable().filter(deck=found).count()
        self.stdout.write(f"Wrote {out}: {count} notes from {deck}.")
