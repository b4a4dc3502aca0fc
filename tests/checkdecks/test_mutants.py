"""checkdecks --mutants: a card whose checks accept a mutant of its solution fails, with the
survivor's diff; a card whose checks refuse every mutant (or declare it equivalent) passes."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

DECKS = Path(__file__).parent / "decks"


def checkdecks(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("checkdecks", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue() + f"\n{error}"
    return out.getvalue(), err.getvalue()


def test_a_card_with_a_too_weak_check_fails_with_each_survivors_diff():
    out, err = checkdecks("--mutants", str(DECKS / "weak.en.md"))

    assert "1 cards checked in 1 deck(s), 1 with problems." in err
    assert (
        "mutant sequential-gather@10 survives: gather's awaitables awaited one after another"
        in (err)
    )
    diff = err.split("mutant sequential-gather@10 survives")[1].split("FAIL")[0]
    assert '-    a, b = await asyncio.gather(download("a"), download("b"))' in diff
    assert '+    a, b = [await download("a"), await download("b")]' in diff
    # Only output is checked: blocking the loop or hard-coding the output pass it too.
    assert "mutant blocking-sleep@5 survives" in err
    assert "mutant hardcode-output@1 survives" in err
    assert "survived (" in err


def test_without_mutants_the_same_card_passes():
    out, _ = checkdecks(str(DECKS / "weak.en.md"))
    assert "1 cards checked in 1 deck(s), 0 with problems." in out
    assert "Mutants" not in out


def test_a_card_whose_checks_refuse_every_mutant_passes():
    out, err = checkdecks("--mutants", "-v2", str(DECKS / "proven.en.md"))

    assert err == ""
    assert "16 mutants: 15 killed, 1 declared equivalent" in out
    assert "Mutants: 16 run, 15 killed, 0 survived" in out


def test_a_declared_equivalent_that_no_mutant_has_fails(tmp_path):
    text = (DECKS / "proven.en.md").read_text(encoding="utf-8")
    path = tmp_path / "proven.en.md"
    path.write_text(text.replace("widen-except@8", "widen-except@9"), encoding="utf-8")

    _, err = checkdecks("--mutants", str(path))

    assert "'widen-except@9' is declared equivalent, but no mutant has this id" in err
    assert "mutant widen-except@8 survives" in err


def test_the_format_guides_example_deck_leaves_no_survivor(tmp_path):
    guide = (Path(__file__).parents[2] / "content" / "README.md").read_text(encoding="utf-8")
    example = guide.split("## A complete example of every kind")[1]
    example = example.split("````markdown\n", 1)[1].split("\n````", 1)[0]
    path = tmp_path / "example.en.md"
    path.write_text(example + "\n", encoding="utf-8")

    out, err = checkdecks("--mutants", str(path))

    assert err == ""
    assert ", 0 with problems. Mutants: " in out
    assert " 0 survived " in out
