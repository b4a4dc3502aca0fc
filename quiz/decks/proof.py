"""Prove a deck's code: run every predict snippet and every code card's solutions in the runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quiz.decks.fileformat import CardSource, DeckSource
from quiz.models import CardText
from quiz.runs.messages import word
from quiz.runs.verdicts import Verdict

# (source, spec or None) → the runner's verdict.
RunSource = Callable[[str, "dict[str, Any] | None"], Verdict]


@dataclass
class CardReport:
    deck: str
    card: str
    kind: str
    path: str
    line: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_card(card: CardSource, deck: DeckSource, run: RunSource) -> CardReport:
    report = CardReport(deck.deck, card.id, card.kind, deck.path, card.line)
    if card.kind == "predict":
        verdict = run(card.snippet, None)
        lines = len(verdict["stdout"].splitlines())
        report.notes.append(f"prints {lines} line(s), ends {verdict['status']}")
        if verdict["status"] in {"timeout", "killed", "output_limit"}:
            report.problems.append(f"the snippet ends as {verdict['status']}: no stable output")
        store_predict_output(deck, card, verdict)
    elif card.kind == "code":
        solution = run(card.solution, card.checks)
        if solution["passed"]:
            report.notes.append(f"solution passes ({solution['virtual_seconds']:.1f} s virtual)")
        else:
            report.problems.append(f"the solution fails: {failed_summary(solution)}")
        for n, wrong in enumerate(card.wrong, 1):
            verdict = run(wrong.code, card.checks)
            failed = [c["name"] for c in verdict["checks"] if not c["passed"]]
            if verdict["passed"]:
                report.problems.append(f"wrong solution {n} passes every check")
            elif wrong.check not in failed:
                report.problems.append(
                    f"wrong solution {n} should fail '{wrong.check}' but fails {failed}"
                )
            else:
                report.notes.append(f"wrong solution {n} fails {wrong.check}")
    return report


def failed_summary(verdict: Verdict) -> str:
    failed = [c for c in verdict.get("checks", []) if not c["passed"]]
    summary = "; ".join(f"{c['name']}: {word(c['message'], 'en')}" for c in failed)
    return summary or verdict["status"]


def store_predict_output(deck: DeckSource, card: CardSource, verdict: Verdict) -> None:
    """Keep the output on the loaded card, if the loaded card has this very snippet."""
    for text in CardText.objects.filter(
        card__deck__slug=deck.deck, card__key=card.id, language=deck.language
    ):
        if text.content.get("snippet") != card.snippet:
            continue
        content = text.content | {
            "expected_output": verdict["stdout"],
            "expected_status": verdict["status"],
        }
        if content != text.content:
            text.content = content
            text.save(update_fields=["content"])
