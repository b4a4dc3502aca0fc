"""Load deck files into the database: idempotent, atomic, keeping card ids and history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quiz.decks import proof
from quiz.decks.fileformat import DeckError, DeckSource, parse_deck_file
from quiz.decks.proof import PredictOutput
from quiz.kinds import KINDS
from quiz.models import Card, CardText, Deck, DeckText, Source
from quiz.runs import sandbox
from runner.pythons import PythonNotFound


@dataclass
class LoadReport:
    decks_created: list[str] = field(default_factory=list)
    decks_updated: list[str] = field(default_factory=list)
    cards_created: int = 0
    cards_updated: int = 0
    cards_retired: int = 0
    cards_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.decks_created
            or self.decks_updated
            or self.cards_created
            or self.cards_updated
            or self.cards_retired
        )

    def summary(self) -> str:
        if not self.changed:
            return f"No changes: {self.cards_unchanged} cards already up to date."
        parts = [
            f"{self.cards_created} cards added",
            f"{self.cards_updated} changed",
            f"{self.cards_retired} retired",
            f"{self.cards_unchanged} unchanged",
        ]
        decks = ""
        if self.decks_created:
            decks += f" New decks: {', '.join(self.decks_created)}."
        if self.decks_updated:
            decks += f" Updated decks: {', '.join(self.decks_updated)}."
        return ", ".join(parts) + "." + decks


def deck_files(paths: Iterable[str | Path]) -> list[Path]:
    """The deck files named, or found under the folders named (every *.md but README.md)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.md") if p.name.lower() != "readme.md")
        elif path.exists():
            files.append(path)
        else:
            raise DeckError(str(path), 0, "no such file or folder")
    return files


def parse_decks(files: list[Path]) -> dict[str, list[DeckSource]]:
    """Parse every file and group them by deck; the files of one deck must agree on their cards."""
    return group_sources([parse_deck_file(path) for path in files])


def group_sources(sources: list[DeckSource]) -> dict[str, list[DeckSource]]:
    """Group parsed deck files by deck, checking that the files of one deck agree."""
    by_deck: dict[str, list[DeckSource]] = defaultdict(list)
    for source in sources:
        for other in by_deck[source.deck]:
            if other.language == source.language:
                raise DeckError(
                    source.path,
                    1,
                    f"deck '{source.deck}' has a second {source.language} file: {other.path}",
                )
        by_deck[source.deck].append(source)
    for sources in by_deck.values():
        _check_languages_agree(sources)
        _check_settings_agree(sources)
    return dict(by_deck)


def _check_languages_agree(sources: list[DeckSource]) -> None:
    first = sources[0]
    shape = {card.id: card for card in first.cards}
    for other in sources[1:]:
        theirs = {card.id: card for card in other.cards}
        for card in other.cards:
            if card.id not in shape:
                raise DeckError(other.path, card.line, f"card '{card.id}' is not in {first.path}")
            mine = shape[card.id]
            if (card.kind, card.tags) != (mine.kind, mine.tags):
                raise DeckError(
                    other.path,
                    card.line,
                    f"card '{card.id}' has kind/tags {card.kind} {card.tags} here but "
                    f"{mine.kind} {mine.tags} in {first.path}",
                )
        for card in first.cards:
            if card.id not in theirs:
                raise DeckError(first.path, card.line, f"card '{card.id}' is not in {other.path}")


def _check_settings_agree(sources: list[DeckSource]) -> None:
    for other in sources[1:]:
        for key, value in other.settings.items():
            for source in sources:
                if key in source.settings and source.settings[key] != value:
                    raise DeckError(
                        other.path,
                        1,
                        f"'{key}: {value}' disagrees with '{key}: {source.settings[key]}' in "
                        f"{source.path}",
                    )


def load_decks(
    paths: Iterable[str | Path], predict_output: PredictOutput | None = None
) -> LoadReport:
    """Load the deck files under `paths`; on any problem raise DeckError and change nothing."""
    by_deck = parse_decks(deck_files(paths))
    # One source of truth per deck: a deck written in the browser is never overwritten by a file.
    browser = Deck.objects.filter(slug__in=by_deck, source=Source.BROWSER).first()
    if browser:
        raise DeckError(
            by_deck[browser.slug][0].path,
            1,
            f"deck '{browser.slug}' is written in the browser; edit it there, or give this file "
            "another deck id",
        )
    outputs = predict_outputs(by_deck, predict_output)
    with transaction.atomic():
        report = LoadReport()
        for slug, sources in sorted(by_deck.items()):
            _load_deck(slug, sources, outputs, report)
    return report


def load_deck_sources(
    slug: str, sources: list[DeckSource], outputs: dict[proof.Job, proof.Outputs]
) -> LoadReport:
    """Load one deck's parsed files (for uploads in the browser; call inside a transaction)."""
    report = LoadReport()
    _load_deck(slug, sources, outputs, report)
    return report


def predict_outputs(
    by_deck: dict[str, list[DeckSource]], predict_output: PredictOutput | None = None
) -> dict[proof.Job, proof.Outputs]:
    """Run each distinct predict snippet once per interpreter its card names, unless its
    output is stored already; DeckError at the card for an interpreter that is not here."""
    for sources in by_deck.values():
        for source in sources:
            for card in source.cards:
                if not KINDS[card.kind].runs_snippet:
                    continue
                for version in card.python or source.python:
                    try:
                        sandbox.find_python(version)
                    except PythonNotFound as error:
                        raise DeckError(
                            source.path, card.line, f"card '{card.id}': {error}"
                        ) from None
    jobs = (
        (card.snippet, tuple(card.python or source.python))
        for sources in by_deck.values()
        for source in sources
        for card in source.cards
        if KINDS[card.kind].runs_snippet
    )
    return proof.predict_outputs(jobs, predict_output)


def _load_deck(
    slug: str,
    sources: list[DeckSource],
    outputs: dict[proof.Job, proof.Outputs],
    report: LoadReport,
) -> None:
    deck_settings: dict[str, Any] = {}
    for source in sources:
        deck_settings.update(source.settings)
    paths = ", ".join(_relative(source.path) for source in sources)
    deck_fields = {
        "source_path": paths,
        "languages": [source.language for source in sources],
        "desired_retention": deck_settings.get("desired_retention", 0.9),
        "new_per_day": deck_settings.get("new_per_day", 10),
        "reviews_per_day": deck_settings.get("reviews_per_day", 200),
    }
    deck = Deck.objects.filter(slug=slug).first()
    if deck is None:
        deck = Deck.objects.create(slug=slug, **deck_fields)
        report.decks_created.append(slug)
    elif _differs(deck, deck_fields):
        Deck.objects.filter(pk=deck.pk).update(**deck_fields)
        report.decks_updated.append(slug)

    texts = {text.language: text for text in deck.texts.all()}
    for source in sources:
        wanted = {"title": source.title, "description": source.description}
        text = texts.get(source.language)
        if text is None:
            DeckText.objects.create(deck=deck, language=source.language, **wanted)
        elif _differs(text, wanted):
            DeckText.objects.filter(pk=text.pk).update(**wanted)
        else:
            continue
        if slug not in report.decks_created + report.decks_updated:
            report.decks_updated.append(slug)

    existing = {card.key: card for card in deck.cards.prefetch_related("texts")}
    for position, shape in enumerate(sources[0].cards):
        card_fields = {
            "kind": shape.kind,
            "tags": shape.tags,
            "position": position,
            "retired_at": None,
        }
        contents = {}
        for source in sources:
            card = next(c for c in source.cards if c.id == shape.id)
            content = card.content(source.python)
            if KINDS[card.kind].runs_snippet:
                job = (card.snippet, tuple(content.get("python", ())))
                content = proof.with_output(content, outputs[job])  # type: ignore[arg-type]
            contents[source.language] = content
        card = existing.pop(shape.id, None)
        if card is None:
            card = Card.objects.create(deck=deck, key=shape.id, **card_fields)
            CardText.objects.bulk_create(
                CardText(card=card, language=lang, content=content)
                for lang, content in contents.items()
            )
            report.cards_created += 1
            continue
        changed = _differs(card, card_fields)
        if changed:
            Card.objects.filter(pk=card.pk).update(**card_fields)
        stored = {text.language: text for text in card.texts.all()}
        for lang, content in contents.items():
            text = stored.pop(lang, None)
            if text is None:
                CardText.objects.create(card=card, language=lang, content=content)
                changed = True
            elif text.content != content:
                CardText.objects.filter(pk=text.pk).update(content=content)
                changed = True
        if stored:
            CardText.objects.filter(pk__in=[t.pk for t in stored.values()]).delete()
            changed = True
        if changed:
            report.cards_updated += 1
        else:
            report.cards_unchanged += 1
    for card in existing.values():
        if card.retired_at is None:
            Card.objects.filter(pk=card.pk).update(retired_at=timezone.now())
            report.cards_retired += 1


def _differs(obj: Any, fields: dict[str, Any]) -> bool:
    return any(getattr(obj, name) != value for name, value in fields.items())


def _relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)
