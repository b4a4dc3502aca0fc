"""Validate deck files and prove their code: predict snippets run, code checks discriminate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quiz.decks.fileformat import DeckError
from quiz.decks.loader import deck_files, parse_decks
from quiz.decks.proof import check_card
from quiz.kinds import KINDS
from quiz.runs import sandbox


class Command(BaseCommand):
    help = (
        "Validate every deck file, run every predict snippet (storing its output on loaded "
        "cards), and run every code card's solution (must pass) and wrong solutions (must fail "
        "the check they name). Exits non-zero on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="deck files or folders (default: content/)")

    def handle(self, *args: Any, paths: list[str], verbosity: int = 1, **options: Any) -> None:
        try:
            by_deck = parse_decks(deck_files(paths or [settings.BASE_DIR / "content"]))
        except DeckError as error:
            raise CommandError(str(error)) from None
        checked = failed = 0
        for sources in by_deck.values():
            for source in sources:
                for card in source.cards:
                    report = check_card(card, source, sandbox.run)
                    checked += 1
                    where = f"{report.path}:{report.line} {report.deck}/{report.card}"
                    if report.ok:
                        if verbosity > 1 or KINDS[card.kind].proven:
                            notes = "; ".join(report.notes)
                            self.stdout.write(f"ok    {where} ({card.kind}) {notes}".rstrip())
                        continue
                    failed += 1
                    for problem in report.problems:
                        self.stderr.write(f"FAIL  {where} ({card.kind}): {problem}")
        summary = f"{checked} cards checked in {len(by_deck)} deck(s), {failed} with problems."
        if failed:
            raise CommandError(summary)
        self.stdout.write(summary)
