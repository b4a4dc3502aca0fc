"""Benchmark: the mutation proof of every code card of the shipped deck (`checkdecks --mutants`
without Django's command around it): how many mutants, how long, how many survive."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quiz.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from quiz.decks.fileformat import parse_deck_file  # noqa: E402
from quiz.decks.mutants import prove_mutants  # noqa: E402
from runner import Runner  # noqa: E402

# Target: the whole deck's proof stays a thing an author runs without thinking about it.
TARGET_SECONDS = 60.0


def main() -> int:
    cards = [
        card
        for path in sorted((ROOT / "content").glob("*.md"))
        if path.name != "README.md"
        for card in parse_deck_file(path).cards
        if card.kind == "code"
    ]
    per_run: list[float] = []
    mutants = survivors = 0
    with Runner() as runner:

        def run(source: str, spec: dict | None) -> dict:
            started = time.perf_counter()
            verdict = runner.run(source, spec=spec)
            per_run.append((time.perf_counter() - started) * 1000)
            return verdict

        started = time.perf_counter()
        for card in cards:
            reference = run(card.solution, card.checks)
            proof = prove_mutants(
                card.solution, card.checks, reference, run, card.equivalent_mutants
            )
            mutants += len(proof.runs)
            survivors += len(proof.survivors)
        seconds = time.perf_counter() - started
    print("| what | figure | target |")
    print("|---|---|---|")
    print(
        f"| mutation proof of the shipped deck ({len(cards)} code cards in all languages, "
        f"{mutants} mutants, {survivors} surviving) | {seconds:.1f} s; one run median "
        f"{statistics.median(per_run):.1f} ms | ≤ {TARGET_SECONDS:.0f} s |"
    )
    return 0 if seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
