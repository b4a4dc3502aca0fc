"""Uploading deck files: a preview of what changes, nothing applied until asked; problems listed."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from quiz.models import Deck
from tests.conftest import basic_deck

pytestmark = pytest.mark.django_db


def upload(client, *files: tuple[str, str]):
    chosen = [SimpleUploadedFile(name, text.encode(), "text/markdown") for name, text in files]
    return client.post("/author/upload/", {"files": chosen})


def apply_from(client, preview_page: str):
    names = re.search(r'name="names" value="([^"]*)"', preview_page).group(1)
    texts = re.search(r'name="texts" value="([^"]*)"', preview_page).group(1)
    unescape = {"&quot;": '"', "&amp;": "&", "&lt;": "<", "&gt;": ">", "&#x27;": "'"}
    for entity, char in unescape.items():
        names, texts = names.replace(entity, char), texts.replace(entity, char)
    return client.post(
        "/author/upload/", {"apply": "1", "names": names, "texts": texts}, follow=True
    )


def counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def test_an_upload_previews_added_changed_and_retired_cards_before_applying(
    client, people, browser_deck
):
    client.force_login(people["owner"])
    text = basic_deck(2, deck="olgas-deck").replace("Question 1?", "Question one?")

    preview = upload(client, ("olgas-deck.en.md", text)).content.decode()

    assert counts(preview) == {"added": 2, "changed": 0, "retired": 1, "unchanged": 0}
    assert "card-1, card-2" in preview and "what-await-does" in preview
    assert list(Deck.objects.get(slug="olgas-deck").cards.values_list("key", flat=True)) == [
        "what-await-does"
    ]

    applied = apply_from(client, preview)

    deck = Deck.objects.get(slug="olgas-deck")
    assert "The deck files are applied." in applied.content.decode()
    assert dict(deck.cards.active().values_list("key", "status")) == {
        "card-1": "draft",
        "card-2": "draft",
    }
    assert deck.cards.get(key="what-await-does").retired_at is not None
    assert deck.cards.get(key="card-1").text().front == "Question one?"
    assert (deck.source, deck.owner, deck.source_path) == ("browser", people["owner"], "")


def test_a_second_upload_of_the_same_file_changes_only_what_differs(client, people, browser_deck):
    client.force_login(people["owner"])
    apply_from(
        client, upload(client, ("d.en.md", basic_deck(2, deck="olgas-deck"))).content.decode()
    )
    changed = basic_deck(2, deck="olgas-deck").replace("Answer 2.", "Answer two.")

    preview = upload(client, ("d.en.md", changed)).content.decode()

    assert counts(preview) == {"added": 0, "changed": 1, "retired": 0, "unchanged": 1}


def test_an_upload_with_a_new_deck_id_creates_a_deck_the_uploader_owns(client, people):
    client.force_login(people["other"])
    files = [
        (f"fresh.{lang}.md", basic_deck(1, deck="fresh", language=lang)) for lang in ("en", "ru")
    ]

    apply_from(client, upload(client, *files).content.decode())

    deck = Deck.objects.get(slug="fresh")
    assert (deck.owner, deck.status, sorted(deck.languages)) == (
        people["other"],
        "draft",
        ["en", "ru"],
    )
    assert deck.cards.get().text("ru").front == "Вопрос 1?"


def test_a_malformed_file_shows_every_problem_with_its_line_and_applies_nothing(
    client, people, browser_deck
):
    client.force_login(people["owner"])
    broken = (
        "---\ndeck: olgas-deck\nlanguage: en\ntitle: T\n---\n\n"
        "## first\nkind: basik\n\n### Front\nQ\n\n"
        "## second\nkind: choice\n\n### Front\nQ\n\n### Options\n- [ ] a\n- [ ] b\n\n"
        "## third\nkind: basic\n\n### Front\nQ\n\n### Back\nA\n"
    )

    page = upload(client, ("olgas-deck.en.md", broken)).content.decode()

    assert "Nothing was applied" in page
    problems = re.findall(r"<li><code>olgas-deck.en.md</code>, line (\d+): ([^<]*)</li>", page)
    assert [line for line, _ in problems] == ["8", "19"]
    assert "must be one of basic" in problems[0][1]
    assert "at least one [x]" in problems[1][1]
    assert 'name="apply"' not in page
    assert list(Deck.objects.get(slug="olgas-deck").cards.values_list("key", flat=True)) == [
        "what-await-does"
    ]


def test_files_of_a_deck_that_disagree_are_a_problem(client, people):
    client.force_login(people["owner"])
    en = basic_deck(2, deck="pair")
    ru = basic_deck(1, deck="pair", language="ru")

    page = upload(client, ("pair.en.md", en), ("pair.ru.md", ru)).content.decode()

    assert "card &#x27;card-2&#x27; is not in pair.ru.md" in page
    assert not Deck.objects.filter(slug="pair").exists()


def test_an_upload_cannot_touch_a_file_deck_or_another_teachers_deck(
    client, people, browser_deck, write_deck
):
    from quiz.decks.loader import load_decks

    load_decks([write_deck(basic_deck(1, deck="from-git"), "from-git.en.md")])
    client.force_login(people["other"])

    git = upload(client, ("x.en.md", basic_deck(1, deck="from-git"))).content.decode()
    theirs = upload(client, ("y.en.md", basic_deck(1, deck="olgas-deck"))).content.decode()
    forged = apply_from(
        client,
        'name="names" value="{}" name="texts" value="{}"'.format(
            json.dumps(["y.en.md"]).replace('"', "&quot;"),
            json.dumps([basic_deck(1, deck="olgas-deck")]).replace('"', "&quot;"),
        ),
    ).content.decode()

    assert "is loaded from content/: change it in git" in git
    assert "belongs to another teacher" in theirs
    assert "belongs to another teacher" in forged
    assert Deck.objects.get(slug="olgas-deck").cards.get().key == "what-await-does"
