"""Grading of the auto-graded card kinds: choice, type-in, order and predict."""

from __future__ import annotations

import difflib
import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quiz.kinds import ChoiceContent, OrderContent, PredictContent, TypeInContent


@dataclass
class Grade:
    correct: bool
    expected: str = ""
    diff: list[tuple[str, str]] = field(default_factory=list)


def normalise_answer(text: str) -> str:
    """Case, surrounding and repeated spaces, and backticks do not matter in a typed answer."""
    return re.sub(r"\s+", " ", text.replace("`", "")).strip().casefold()


def normalise_output(text: str) -> str:
    """Trailing spaces and trailing blank lines do not matter in a predicted output."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def order_permutation(token: str, count: int) -> list[int]:
    """The shuffled order in which a presentation shows an order card's items (never the answer)."""
    order = list(range(count))
    rng = random.Random(token)
    while count > 1 and order == list(range(count)):
        rng.shuffle(order)
    return order


def grade_choice(content: ChoiceContent, answer: Any) -> Grade:
    right = {i for i, option in enumerate(content["options"]) if option["correct"]}
    chosen = {int(i) for i in answer or []}
    expected = "; ".join(content["options"][i]["text"] for i in sorted(right))
    return Grade(chosen == right, expected)


def grade_type_in(content: TypeInContent, answer: Any) -> Grade:
    accepted = content["answers"]
    given = normalise_answer(str(answer or ""))
    correct = given in {normalise_answer(a) for a in accepted}
    closest = max(
        accepted,
        key=lambda a: difflib.SequenceMatcher(None, given, normalise_answer(a)).ratio(),
    )
    return Grade(correct, closest, [] if correct else char_diff(str(answer or ""), closest))


def grade_order(content: OrderContent, answer: Any) -> Grade:
    items = content["items"]
    given = [int(i) for i in answer or []]
    return Grade(given == list(range(len(items))), "\n".join(items))


def grade_predict(content: PredictContent, answer: Any) -> Grade:
    expected = content.get("expected_output", "")
    correct = normalise_output(str(answer or "")) == normalise_output(expected)
    return Grade(correct, expected, [] if correct else line_diff(str(answer or ""), expected))


def char_diff(given: str, expected: str) -> list[tuple[str, str]]:
    """(op, text) runs turning `given` into `expected`: op is "same", "extra" or "missing"."""
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, given, expected)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", given[a1:a2]))
            continue
        if a2 > a1:
            runs.append(("extra", given[a1:a2]))
        if b2 > b1:
            runs.append(("missing", expected[b1:b2]))
    return runs


def line_diff(given: str, expected: str) -> list[tuple[str, str]]:
    """Line by line: which lines of the answer are right, extra or missing."""
    a = normalise_output(given).split("\n")
    b = normalise_output(expected).split("\n")
    runs: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op == "equal":
            runs += [("same", line) for line in a[a1:a2]]
            continue
        runs += [("extra", line) for line in a[a1:a2]]
        runs += [("missing", line) for line in b[b1:b2]]
    return runs
