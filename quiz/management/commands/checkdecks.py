"""Validate deck files and prove their code: predict snippets run, code checks discriminate;
with --mutants, every mutant of every code card's solution fails its checks."""

from __future__ import annotations

import json
import time
from textwrap import indent
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
        "the check they name). With --mutants, also every mutant of each code card's solution "
        "(it must fail a check, or be declared equivalent): survivors are listed with their "
        "diff. Exits non-zero on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="deck files or folders (default: content/)")
        parser.add_argument(
            "--mutants",
            action="store_true",
            help="prove each code card against the mutants of its solution",
        )

    def handle(
        self,
        *args: Any,
        paths: list[str],
        verbosity: int = 1,
        mutants: bool = False,
        **options: Any,
    ) -> None:
        try:
            by_deck = parse_decks(deck_files(paths or [settings.BASE_DIR / "content"]))
        except DeckError as error:
            raise CommandError(str(error)) from None
        started = time.monotonic()
        checked = failed = 0
        # The same solution and checks in two languages' files are proven once.
        runs: dict[str, Any] = {}

        def run(source: str, spec: dict[str, Any] | None, python: str = "") -> Any:
            key = json.dumps([source, spec, python], sort_keys=True)
            if key not in runs:
                runs[key] = sandbox.run(source, spec, python=python or None)
            return runs[key]

        tally = {"mutants": 0, "killed": 0, "survived": 0}
        mutant_seconds = 0.0
        for sources in by_deck.values():
            for source in sources:
                for card in source.cards:
                    report = check_card(card, source, run, mutants=mutants)
                    checked += 1
                    if report.mutants is not None:
                        tally["mutants"] += len(report.mutants.runs)
                        tally["killed"] += report.mutants.killed
                        tally["survived"] += len(report.mutants.survivors)
                        mutant_seconds += report.mutants.seconds
                    where = f"{report.path}:{report.line} {report.deck}/{report.card}"
                    if report.ok:
                        if verbosity > 1 or KINDS[card.kind].proven:
                            notes = "; ".join(report.notes)
                            self.stdout.write(f"ok    {where} ({card.kind}) {notes}".rstrip())
                        continue
                    failed += 1
                    for problem in report.problems:
                        self.stderr.write(f"FAIL  {where} ({card.kind}): {problem}")
                        if problem in report.diffs:
                            self.stderr.write(indent(report.diffs[problem].rstrip("\n"), "      "))
        summary = f"{checked} cards checked in {len(by_deck)} deck(s), {failed} with problems."
        if mutants:
            summary += (
                f" Mutants: {tally['mutants']} run, {tally['killed']} killed, "
                f"{tally['survived']} survived ({mutant_seconds:.1f} s of mutant runs, "
                f"{time.monotonic() - started:.1f} s in all)."
            )
        if failed:
            raise CommandError(summary)
        self.stdout.write(summary)
