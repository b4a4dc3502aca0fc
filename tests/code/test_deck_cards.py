"""Every code card of the asyncio deck: its solution and wrong solutions render as verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from quiz.decks.fileformat import parse_deck_file
from quiz.models import Run
from quiz.runs import sandbox, tasks
from quiz.runs.presenters import describe

CONTENT = Path(__file__).resolve().parents[2] / "content"
DECKS = {language: parse_deck_file(CONTENT / f"asyncio.{language}.md") for language in ("en", "ru")}
CODE = [(lang, card) for lang, deck in DECKS.items() for card in deck.cards if card.kind == "code"]


def fragment(card, code: str, language: str) -> str:
    """The run fragment a learner sees after checking `code` on `card`."""
    content = card.content()
    verdict = sandbox.run(code, content["checks"])
    baseline = tasks.baseline_for(None, content)
    run = Run(kind="check", status="done", code=code, verdict=verdict, passed=verdict["passed"])
    with translation.override(language):
        return render_to_string(
            "quiz/study.html#run", {"run": run, "verdict": describe(verdict, baseline)}
        )


def checks(html: str) -> str:
    return html.split('<ul class="checks">')[1].split("</ul>")[0]


@pytest.mark.parametrize(("language", "card"), CODE, ids=[f"{c.id}-{lang}" for lang, c in CODE])
def test_the_solution_shows_only_ticks_and_each_wrong_solution_a_cross(language, card):
    html = fragment(card, card.solution, language)
    assert "✗" not in checks(html) and "✓" in checks(html) and "<svg" in html
    for wrong in card.wrong:
        html = fragment(card, wrong.code, language)
        assert "✗" in checks(html), f"{card.id}: {wrong.check} fails no check"
        assert "<svg" in html
