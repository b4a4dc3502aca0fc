"""loaddecks: idempotent, atomic, and keeping learners' progress across edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from quiz.decks.fileformat import DeckError
from quiz.decks.loader import load_decks
from quiz.models import Card, CardText, Deck, Progress, Review
from tests.conftest import basic_deck

pytestmark = pytest.mark.django_db


def run_loaddecks(*paths: Path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("loaddecks", *map(str, paths), stdout=out)
    return out.getvalue()


def test_it_loads_a_deck_and_its_cards(write_deck):
    path = write_deck(basic_deck(3, new_per_day=5, desired_retention=0.85))

    out = run_loaddecks(path)

    deck = Deck.objects.get(slug="tiny")
    assert (deck.new_per_day, deck.desired_retention) == (5, 0.85)
    assert list(deck.cards.values_list("key", flat=True)) == ["card-1", "card-2", "card-3"]
    assert deck.cards.get(key="card-2").text("en").front == "Question 2?"
    assert "3 cards added" in out


def test_a_second_run_changes_nothing_and_says_so(write_deck):
    path = write_deck(basic_deck(3))
    run_loaddecks(path)
    before = list(CardText.objects.values_list("pk", "content"))

    out = run_loaddecks(path)

    assert out.strip() == "No changes: 3 cards already up to date."
    assert list(CardText.objects.values_list("pk", "content")) == before


def test_a_broken_file_imports_nothing_and_names_file_and_line(write_deck):
    good = write_deck(basic_deck(2, deck="good"), "good.en.md")
    broken = basic_deck(2, deck="bad").replace("kind: basic\ntags: t0", "kind: flashcard\ntags: t0")
    bad = write_deck(broken, "bad.en.md")

    with pytest.raises(CommandError) as error:
        run_loaddecks(good, bad)

    line = broken.splitlines().index("kind: flashcard") + 1
    assert f"bad.en.md:{line}:" in str(error.value)
    assert "'kind:' must be one of" in str(error.value)
    assert "Nothing was imported" in str(error.value)
    assert not Deck.objects.exists()


def test_editing_a_card_keeps_every_learners_progress(write_deck, learner):
    path = write_deck(basic_deck(2))
    run_loaddecks(path)
    card = Card.objects.get(key="card-1")
    Progress.objects.create(user=learner, card=card, state=2, due=timezone.now(), stability=3.0)
    Review.objects.create(user=learner, card=card, rating=3)

    path.write_text(basic_deck(2).replace("Question 1?", "What is question one?"))
    out = run_loaddecks(path)

    card.refresh_from_db()
    assert card.text("en").front == "What is question one?"
    assert Progress.objects.get(user=learner).card == card
    assert Review.objects.filter(card=card).count() == 1
    assert "1 changed" in out


def test_a_removed_card_is_retired_with_its_history(write_deck, learner):
    path = write_deck(basic_deck(3))
    run_loaddecks(path)
    gone = Card.objects.get(key="card-3")
    Review.objects.create(user=learner, card=gone, rating=3)

    path.write_text(basic_deck(2))
    out = run_loaddecks(path)

    gone.refresh_from_db()
    assert gone.retired_at is not None
    assert Review.objects.filter(card=gone).count() == 1
    assert list(Card.objects.active().values_list("key", flat=True)) == ["card-1", "card-2"]
    assert "1 retired" in out

    path.write_text(basic_deck(3))
    run_loaddecks(path)
    gone.refresh_from_db()
    assert gone.retired_at is None


def test_language_files_share_card_ids(write_deck):
    en = write_deck(basic_deck(2), "tiny.en.md")
    ru = write_deck(basic_deck(2, language="ru"), "tiny.ru.md")

    run_loaddecks(en, ru)

    card = Card.objects.get(key="card-1")
    assert card.text("ru").front == "Вопрос 1?"
    assert card.text("en").front == "Question 1?"
    assert Deck.objects.get().languages == ["en", "ru"]


def test_language_files_that_disagree_are_refused(write_deck):
    en = write_deck(basic_deck(2), "tiny.en.md")
    ru = write_deck(basic_deck(3, language="ru"), "tiny.ru.md")

    with pytest.raises(DeckError) as error:
        load_decks([en, ru])

    assert "card 'card-3' is not in" in str(error.value)
    assert error.value.path.endswith("tiny.ru.md")
    assert not Deck.objects.exists()


HEAD = "---\ndeck: x\nlanguage: en\ntitle: T\n---\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter\n", "must start with front matter"),
        ("---\ndeck: x\nlanguage: de\ntitle: T\n---\n", "'language:' must be one of"),
        (HEAD + "## a\nkind: basic\n\n### Front\nQ\n", "needs a '### Back'"),
        (HEAD + "## a\nkind: choice\n\n### Front\nQ\n\n### Options\n- [ ] a\n", "one [x]"),
        (HEAD.replace("title: T", "title: T\nnew_per_day: lots"), "must be a number"),
    ],
)
def test_malformed_files_get_a_clear_message(write_deck, text, message):
    path = write_deck(text)

    with pytest.raises(DeckError) as error:
        load_decks([path])

    assert message in str(error.value)
    assert str(error.value).startswith(f"{path}:")
