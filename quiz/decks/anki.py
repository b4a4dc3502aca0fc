"""A deck as an Anki package (.apkg, built with genanki): one note per card.

Every card becomes a question and an answer: basic cards their front and back; choice cards
the options, answered by the right ones; type-in cards answered by the accepted answers; order
cards the items shuffled, answered in order; predict cards the snippet, answered by the output it
really prints; code cards the task and starter code, answered by the reference solution. Markdown
and code are rendered to HTML as on the study page, the labels in the chosen language; tags are
kept.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import random
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import genanki
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override

from quiz.models import Card, Deck
from quiz.rendering import render_markdown, render_markdown_inline


def stable_id(*parts: str) -> int:
    """A stable 31-bit id (Anki's ids for models and decks) from names."""
    digest = hashlib.sha1("\x1f".join(parts).encode()).hexdigest()
    return int(digest[:8], 16) >> 1


MODEL = genanki.Model(
    stable_id("loopdeck", "model", "1"),
    "loopdeck",
    fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Kind"}, {"name": "Card"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Question}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
        }
    ],
    css=(
        ".card { font-family: system-ui, sans-serif; font-size: 18px; text-align: left; "
        "color: #1d2433; background: #fff; max-width: 46em; margin: 0 auto; }\n"
        "pre { background: #f3f5f9; padding: 10px 12px; border-radius: 6px; overflow-x: auto; "
        "font-size: 15px; }\n.label { color: #5b6478; font-size: 14px; margin: 10px 0 4px; }"
    ),
)


def code_block(code: str) -> SafeString:
    return format_html('<pre><code class="language-python">{}</code></pre>', code)


def label(text: str) -> SafeString:
    return format_html('<div class="label">{}</div>', text)


def question(card: Card, content: dict[str, Any]) -> str:
    parts = [render_markdown(content.get("front", ""))]
    if card.kind == "choice":
        parts.append(
            format_html(
                "<ol>{}</ol>",
                format_html_join(
                    "",
                    "<li>{}</li>",
                    ((render_markdown_inline(o["text"]),) for o in content["options"]),
                ),
            )
        )
    elif card.kind == "order":
        items = list(content["items"])
        random.Random(f"{card.deck.slug}/{card.key}").shuffle(items)
        parts.append(label(_("Put in order:")))
        parts.append(
            format_html(
                "<ul>{}</ul>",
                format_html_join("", "<li>{}</li>", ((render_markdown_inline(i),) for i in items)),
            )
        )
    elif card.kind == "predict":
        parts.append(label(_("What does this print?")))
        parts.append(code_block(content["snippet"]))
    elif card.kind == "code":
        parts.append(label(_("Starter code:")))
        parts.append(code_block(content.get("starter", "")))
    return "".join(str(part) for part in parts)


def answer(card: Card, content: dict[str, Any]) -> str:
    parts: list[SafeString] = []
    if card.kind == "choice":
        right = [o["text"] for o in content["options"] if o.get("correct")]
        parts.append(
            format_html(
                "<ul>{}</ul>",
                format_html_join("", "<li>{}</li>", ((render_markdown_inline(t),) for t in right)),
            )
        )
    elif card.kind == "type-in":
        parts.append(
            format_html(
                "<p>{}</p>",
                format_html_join(" · ", "<strong>{}</strong>", ((a,) for a in content["answers"])),
            )
        )
    elif card.kind == "order":
        parts.append(
            format_html(
                "<ol>{}</ol>",
                format_html_join(
                    "", "<li>{}</li>", ((render_markdown_inline(i),) for i in content["items"])
                ),
            )
        )
    elif card.kind == "predict":
        parts.append(label(_("Output:")))
        parts.append(code_block(content.get("expected_output", "")))
    elif card.kind == "code":
        parts.append(label(_("Reference solution:")))
        parts.append(code_block(content.get("solution", "")))
    if content.get("back"):
        parts.append(render_markdown(content["back"]))
    return "".join(str(part) for part in parts) or str(mark_safe("&nbsp;"))  # noqa: S308


def anki_tag(tag: str) -> str:
    """Anki's tags are separated by spaces."""
    return "_".join(tag.split())


def package(deck: Deck, language: str | None = None) -> genanki.Package:
    """The deck's studyable cards as one Anki deck, a note per card."""
    title = deck.text(language).title
    anki_deck = genanki.Deck(stable_id("loopdeck", "deck", deck.slug), title)
    cards = (
        Card.objects.studyable()
        .filter(deck=deck)
        .select_related("deck")
        .prefetch_related("texts")
        .order_by("position")
    )
    for card in cards:
        content = card.text(language).content
        anki_deck.add_note(
            genanki.Note(
                model=MODEL,
                fields=[
                    question(card, content),
                    answer(card, content),
                    escape(card.kind),
                    escape(f"{deck.slug}/{card.key}"),
                ],  # fmt: skip
                tags=[anki_tag(tag) for tag in card.tags or [] if tag.strip()],
                guid=genanki.guid_for("loopdeck", deck.slug, card.key),
            )
        )
    return genanki.Package(anki_deck)


def apkg_bytes(deck: Deck, language: str | None = None) -> bytes:
    """The .apkg file: a zip holding the collection database (collection.anki2) and `media`.

    genanki's own write_to_file leaves its temporary database behind; this writes the same
    through its write_to_db into a temporary folder that is removed.
    """
    with override(language):
        built = package(deck, language)
    timestamp = time.time()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(path)
        try:
            built.write_to_db(
                connection.cursor(), timestamp, itertools.count(int(timestamp * 1000))
            )
            connection.commit()
        finally:
            connection.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, "collection.anki2")
            archive.writestr("media", "{}")
    return buffer.getvalue()
