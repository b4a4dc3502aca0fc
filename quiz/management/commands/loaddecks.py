"""Load deck files (default: content/) into the database, atomically and idempotently."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quiz.decks.fileformat import DeckError
from quiz.decks.loader import load_decks


class Command(BaseCommand):
    help = "Load deck files into the database. A problem in any file imports nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="deck files or folders (default: content/)")

    def handle(self, *args: Any, paths: list[str], **options: Any) -> None:
        try:
            report = load_decks(paths or [settings.BASE_DIR / "content"])
        except DeckError as error:
            raise CommandError(f"{error}\nNothing was imported.") from None
        self.stdout.write(report.summary())
