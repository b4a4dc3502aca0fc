"""The asyncio deck: both languages hold the same cards, cover every topic, and their claims run."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from quiz.decks.fileformat import CardSource, DeckSource, parse_deck_file
from quiz.decks.proof import prove
from runner import Runner
from tests.deck.claims import CLAIMS
from tests.deck.variants import RIGHT as RIGHT_VARIANTS
from tests.deck.variants import WRONG as WRONG_VARIANTS
from tests.deck.variants import Variant

CONTENT = Path(__file__).resolve().parents[2] / "content"
EN = parse_deck_file(CONTENT / "asyncio.en.md")
RU = parse_deck_file(CONTENT / "asyncio.ru.md")
KINDS = ("basic", "choice", "type-in", "order", "predict", "code")
TOPICS = [f"topic-{n}" for n in range(1, 25)]
SPEC_KEYS = {
    "output",
    "virtual_seconds",
    "concurrency",
    "no_blocking",
    "no_cpu_hog",
    "exception",
    "must_use",
    "must_not_use",
    "status",
    "events",
    "no_pending_tasks",
    "cancelled_awaited",
    "loops_closed",
    "no_unretrieved_exception",
    "syntax",
}
# Predict cards whose subject is a run that does not end normally.
PREDICT_STATUS = {"future-never-set-deadlock": "deadlock"}
DOCS_LINK = re.compile(r"\]\(https://docs\.python\.org/3/[a-z/._-]+\.html(#[\w.-]+)?\)")
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)

CARDS = {card.id: card for card in EN.cards}
PREDICT = [card for card in EN.cards if card.kind == "predict"]
CODE = [card for card in EN.cards if card.kind == "code"]
WRONG = [(card, n) for card in CODE for n in range(len(card.wrong))]


def shared_parts(card: CardSource) -> dict[str, Any]:
    """Everything in a card that must be identical in every language."""
    return {
        "kind": card.kind,
        "tags": card.tags,
        "snippet": card.snippet,
        "starter": card.starter,
        "solution": card.solution,
        "wrong": [(wrong.check, wrong.code) for wrong in card.wrong],
        "checks": card.checks,
        "options": [option["correct"] for option in card.options],
        "answers": len(card.answers) > 0,
        "items": len(card.items),
        "hints": len(card.hints),
        "python": card.python,
        "equivalent_mutants": sorted(card.equivalent_mutants),
    }


@pytest.fixture(scope="module")
def runner() -> Iterator[Any]:
    with Runner() as r:
        yield r


@pytest.fixture(scope="module")
def runner_on(runner: Any) -> Iterator[Callable[[str], Any]]:
    """A runner for each Python a card names ("" for the default one), started when first asked."""
    started: dict[str, Any] = {"": runner}

    def on(python: str) -> Any:
        if python not in started:
            started[python] = Runner(python=python)
        return started[python]

    yield on
    for python, r in started.items():
        if python:
            r.close()


@pytest.mark.parametrize("deck", [EN, RU], ids=["en", "ru"])
def test_each_language_has_enough_cards_of_every_kind(deck: DeckSource) -> None:
    kinds = Counter(card.kind for card in deck.cards)

    assert deck.deck == "asyncio"
    assert len(deck.cards) >= 100
    assert kinds["predict"] >= 30
    assert kinds["code"] >= 20
    assert set(kinds) == set(KINDS)


def test_russian_and_english_files_hold_the_same_cards() -> None:
    assert [card.id for card in RU.cards] == [card.id for card in EN.cards]
    for en, ru in zip(EN.cards, RU.cards, strict=True):
        assert shared_parts(ru) == shared_parts(en), en.id


def test_every_topic_has_cards_of_at_least_three_kinds() -> None:
    kinds: dict[str, set[str]] = {topic: set() for topic in TOPICS}
    for card in EN.cards:
        topics = [tag for tag in card.tags if tag.startswith("topic-")]
        assert topics and set(topics) <= set(TOPICS), card.id
        for topic in topics:
            kinds[topic].add(card.kind)

    assert {topic: len(k) >= 3 for topic, k in kinds.items()} == {topic: True for topic in TOPICS}


@pytest.mark.parametrize("deck", [EN, RU], ids=["en", "ru"])
def test_every_back_links_to_the_python_documentation(deck: DeckSource) -> None:
    without = [card.id for card in deck.cards if not DOCS_LINK.search(card.back)]

    assert without == []


def test_the_russian_file_is_written_in_russian() -> None:
    untranslated = [
        card.id
        for card in RU.cards
        if not (CYRILLIC.search(card.front) and CYRILLIC.search(card.back))
        or not all(CYRILLIC.search(hint) for hint in card.hints)
    ]

    assert untranslated == []


@pytest.mark.parametrize("card", CODE, ids=lambda card: card.id)
def test_code_cards_use_only_the_runners_checks(card: CardSource) -> None:
    assert set(card.checks) <= SPEC_KEYS
    assert card.hints
    for wrong in card.wrong:
        assert wrong.check in card.checks, f"Wrong: {wrong.check} names no check of the card"


@pytest.mark.parametrize("card", PREDICT, ids=lambda card: card.id)
def test_predict_snippets_run_and_print_what_the_back_says(
    runner_on: Callable[[str], Any], card: CardSource
) -> None:
    outputs = []
    for python in card.python or [""]:
        verdict = runner_on(python).run(card.snippet)

        assert verdict["status"] == PREDICT_STATUS.get(card.id, "ok"), verdict["stderr"]
        lines = verdict["stdout"].splitlines()
        assert lines
        for deck in (EN, RU):
            back = next(c.back for c in deck.cards if c.id == card.id)
            missing = [line for line in lines if f"`{line}`" not in back]
            assert missing == [], f"{deck.language} back misses what {python or 'it'} prints"
        outputs.append(verdict["stdout"])

    assert len(set(outputs)) == len(outputs), "two Pythons side by side should differ"


@pytest.mark.parametrize("card", CODE, ids=lambda card: card.id)
def test_code_solutions_pass_their_checks(runner: Any, card: CardSource) -> None:
    verdict = runner.run(card.solution, spec=card.checks)

    failed = [check for check in verdict["checks"] if not check["passed"]]
    assert verdict["passed"], failed


@pytest.mark.parametrize("card,n", WRONG, ids=lambda v: v.id if isinstance(v, CardSource) else v)
def test_wrong_solutions_fail_the_check_they_name(runner: Any, card: CardSource, n: int) -> None:
    wrong = card.wrong[n]

    verdict = runner.run(wrong.code, spec=card.checks)

    results = {check["name"]: check["passed"] for check in verdict["checks"]}
    assert not verdict["passed"]
    assert results[wrong.check] is False, results


@pytest.mark.parametrize("card", CODE, ids=lambda card: card.id)
def test_the_starter_does_not_already_pass(runner: Any, card: CardSource) -> None:
    verdict = runner.run(card.starter, spec=card.checks)

    assert not verdict["passed"]


@pytest.mark.parametrize("card_id", sorted(CLAIMS))
def test_what_a_card_claims_is_what_python_does(runner: Any, card_id: str) -> None:
    source, printed = CLAIMS[card_id]

    verdict = runner.run(source)

    assert card_id in CARDS
    assert (verdict["status"], verdict["stdout"]) == ("ok", printed), verdict["stderr"]


def test_the_notes_first_program_is_an_indentation_error(runner: Any) -> None:
    verdict = runner.run(CARDS["fix-first-program"].starter)

    assert verdict["status"] == "error"
    assert "IndentationError: unexpected indent" in verdict["stderr"]
    right = [o["text"] for o in CARDS["first-program-indentation"].options if o["correct"]]
    assert right == ["Python refuses to run it: `IndentationError: unexpected indent`"]


def edited(card: CardSource, variant: Variant) -> str:
    code = card.solution
    for old, new in variant.edits:
        assert code.count(old) == 1, f"{variant.why}: {old!r} is not once in the solution"
        code = code.replace(old, new)
    return code


@pytest.mark.parametrize("variant", WRONG_VARIANTS, ids=lambda v: f"{v.card}: {v.why}")
def test_a_plausible_wrong_solution_is_refused(runner: Any, variant: Variant) -> None:
    card = CARDS[variant.card]

    verdict = runner.run(edited(card, variant), spec=card.checks)

    failed = [check["name"] for check in verdict["checks"] if not check["passed"]]
    assert variant.fails in failed, failed


@pytest.mark.parametrize("variant", RIGHT_VARIANTS, ids=lambda v: f"{v.card}: {v.why}")
def test_a_correct_unusual_solution_is_accepted(runner: Any, variant: Variant) -> None:
    card = CARDS[variant.card]

    verdict = runner.run(edited(card, variant), spec=card.checks)

    failed = [check for check in verdict["checks"] if not check["passed"]]
    assert verdict["passed"], failed


@pytest.mark.parametrize("card", CODE, ids=lambda card: card.id)
def test_printing_the_expected_output_after_the_same_time_is_refused(
    runner: Any, card: CardSource
) -> None:
    reference = runner.run(card.solution, spec=card.checks)
    faked = (
        "import asyncio\n\n\nasync def main():\n"
        f"    await asyncio.sleep({reference['virtual_seconds']!r})\n"
        f"    print({reference['stdout']!r}, end='')\n\n\nasyncio.run(main())\n"
    )

    verdict = runner.run(faked, spec=card.checks)

    assert verdict["stdout"] == reference["stdout"]
    assert not verdict["passed"]


@pytest.mark.parametrize("card", CODE, ids=lambda card: card.id)
def test_every_mutant_of_a_solution_fails_a_check_or_is_declared_equivalent(
    runner: Any, card: CardSource
) -> None:
    def run(source: str, spec: dict[str, Any] | None, python: str = "") -> Any:
        return runner.run(source, spec=spec)

    proof = prove(card.content(), run, mutants=True)

    assert proof.mutants is not None and proof.mutants.runs
    survivors = {r.mutant.id: r.mutant.diff(card.solution) for r in proof.mutants.survivors}
    assert survivors == {}
    assert proof.mutants.unknown == []
