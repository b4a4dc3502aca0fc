"""Authoring decks in the browser: saving and proving cards, deck files in and out."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quiz import roles
from quiz.decks import loader, proof
from quiz.decks.fileformat import (
    CardSource,
    DeckError,
    DeckSource,
    read_deck_text,
    write_deck_text,
)
from quiz.decks.proof import prove
from quiz.kinds import KINDS, CardContent
from quiz.models import (
    Card,
    CardText,
    Deck,
    DeckText,
    Presentation,
    Progress,
    Review,
    Source,
    Status,
)
from quiz.runs.verdicts import storable

CODE_FIELDS = ("starter", "solution", "wrong", "checks", "equivalent_mutants")
DECK_DEFAULTS = {"desired_retention": 0.9, "new_per_day": 10, "reviews_per_day": 200}


def learners_of(card: Card) -> int:
    """How many learners have a schedule for this card (what a reset would affect)."""
    return Progress.objects.filter(card=card).values("user").distinct().count()


def has_history(deck: Deck) -> bool:
    return Review.objects.filter(card__deck=deck).exists() or (
        Progress.objects.filter(card__deck=deck).exists()
    )


# Decks


@transaction.atomic
def create_deck(owner: AbstractBaseUser, slug: str, texts: dict[str, dict[str, str]]) -> Deck:
    """A new draft deck written in the browser; `texts` maps language → title, description."""
    deck = Deck.objects.create(
        slug=slug,
        languages=list(texts),
        source=Source.BROWSER,
        status=Status.DRAFT,
        owner=owner,
    )
    DeckText.objects.bulk_create(
        DeckText(deck=deck, language=language, **text) for language, text in texts.items()
    )
    return deck


@transaction.atomic
def update_deck(
    deck: Deck, texts: dict[str, dict[str, str]], fields: dict[str, Any], coauthors: Any
) -> None:
    """Save the deck's titles, settings and co-authors; the owner is never a co-author."""
    for name, value in fields.items():
        setattr(deck, name, value)
    deck.languages = list(texts)
    deck.save()
    for language, text in texts.items():
        DeckText.objects.update_or_create(deck=deck, language=language, defaults=text)
    deck.texts.exclude(language__in=list(texts)).delete()
    deck.coauthors.set([user for user in coauthors if user.pk != deck.owner_id])


@transaction.atomic
def remove_deck(deck: Deck, now: datetime | None = None) -> bool:
    """Delete a deck nobody has studied; archive one with learners' history. True: archived."""
    if has_history(deck):
        Deck.objects.filter(pk=deck.pk).update(archived_at=now or timezone.now())
        return True
    deck.delete()
    return False


@transaction.atomic
def copy_deck(deck: Deck, slug: str, owner: AbstractBaseUser) -> Deck:
    """A browser-authored draft copy of any deck, with the same card ids, texts and statuses."""
    copy = Deck.objects.create(
        slug=slug,
        languages=list(deck.languages),
        desired_retention=deck.desired_retention,
        new_per_day=deck.new_per_day,
        reviews_per_day=deck.reviews_per_day,
        source=Source.BROWSER,
        status=Status.DRAFT,
        owner=owner,
    )
    DeckText.objects.bulk_create(
        DeckText(deck=copy, language=t.language, title=t.title, description=t.description)
        for t in deck.texts.all()
    )
    for card in deck.cards.active().prefetch_related("texts"):
        texts = list(card.texts.all())
        card.pk, card.id, card.deck = None, None, copy
        card.save(force_insert=True)
        CardText.objects.bulk_create(
            CardText(card=card, language=t.language, content=t.content) for t in texts
        )
    return copy


# Cards


@dataclass
class CardDraft:
    """A card as the editor submits it: shared fields plus one content dict per language."""

    key: str
    kind: str
    tags: list[str]
    contents: dict[str, CardContent]

    @property
    def first(self) -> CardContent:
        return next(iter(self.contents.values()))


@dataclass
class Saved:
    card: Card
    published: bool
    problems: list[str] = field(default_factory=list)
    learners_reset: int = 0


def save_card(
    deck: Deck,
    card: Card | None,
    draft: CardDraft,
    publish: bool,
    reset_schedule: bool = False,
) -> Saved:
    """Create or update a card; learners keep their progress unless the schedule is reset.

    A predict card's output comes from running its snippet; a code card is published only when
    its reference passes, each wrong solution fails the check it names, and every mutant of the
    reference fails a check or is declared equivalent.
    """
    contents = dict(draft.contents)
    kind = KINDS[draft.kind]
    # The interpreters a deck file named for the card stay with it (the editor does not show them).
    python = card.text().content.get("python") if card is not None and kind.proven else None
    if python:
        contents = {lang: content | {"python": python} for lang, content in contents.items()}
        draft = dataclasses.replace(draft, contents=contents)
    if kind.runs_snippet:
        snippet = draft.first["snippet"]  # type: ignore[typeddict-item]
        job = (snippet, tuple(python or ()))
        output = storable(proof.predict_outputs([job], reuse=False)[job])
        contents = {
            language: proof.with_output(content, output)  # type: ignore[arg-type]
            for language, content in contents.items()
        }
    problems: list[str] = []
    if publish and kind.checked:
        problems = prove(draft.first, mutants=True).problems()
        publish = not problems
    with transaction.atomic():
        status = Status.PUBLISHED if publish else Status.DRAFT
        if card is None:
            position = deck.cards.count()
            card = Card.objects.create(
                deck=deck,
                key=draft.key,
                kind=draft.kind,
                tags=draft.tags,
                position=position,
                status=status,
            )
        else:
            card.tags, card.status = draft.tags, status
            card.save(update_fields=["tags", "status"])
        for language, content in contents.items():
            CardText.objects.update_or_create(
                card=card, language=language, defaults={"content": content}
            )
        card.texts.exclude(language__in=list(contents)).delete()
        reset = reset_card_schedule(card) if reset_schedule else 0
        Deck.objects.filter(pk=deck.pk).update(updated_at=timezone.now())
    return Saved(card=card, published=publish, problems=problems, learners_reset=reset)


@transaction.atomic
def remove_card(card: Card, now: datetime | None = None) -> bool:
    """Delete a card nobody has studied; retire one with learners' history. True: retired."""
    if Review.objects.filter(card=card).exists() or Progress.objects.filter(card=card).exists():
        Card.objects.filter(pk=card.pk).update(retired_at=now or timezone.now())
        return True
    card.delete()
    return False


def reset_card_schedule(card: Card) -> int:
    """The card starts over for every learner who has it: due now, as if new. History stays.

    Progress is kept as a fresh FSRS card (learning, step 0, no stability) rather than deleted,
    because a card with reviews and no progress is refused as "not due" by the study loop.
    Open presentations are dropped: their stored outcomes came from the old schedule.
    """
    now = timezone.now()
    learners = learners_of(card)
    Progress.objects.filter(card=card).update(
        state=Progress.State.LEARNING,
        step=0,
        stability=None,
        difficulty=None,
        due=now,
        last_review=None,
    )
    Presentation.objects.filter(card=card, answered_at__isnull=True).delete()
    return learners


# Files out


def deck_sources(deck: Deck) -> list[DeckSource]:
    """The deck as deck files, one per language, cards in deck order (drafts included)."""
    cards = list(deck.cards.active().prefetch_related("texts"))
    settings = {
        key: getattr(deck, key)
        for key, default in DECK_DEFAULTS.items()
        if getattr(deck, key) != default
    }
    sources = []
    for text in deck.texts.all():
        source = DeckSource(
            path=f"{deck.slug}.{text.language}.md",
            deck=deck.slug,
            language=text.language,
            title=text.title,
            description=text.description,
            settings=settings,
        )
        for card in cards:
            content = card.text(text.language).content
            source.cards.append(CardSource.of(card.key, card.kind, card.tags, content))
        sources.append(source)
    order = {language: n for n, language in enumerate(deck.languages)}
    return sorted(sources, key=lambda s: order.get(s.language, len(order)))


def deck_zip(deck: Deck) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in deck_sources(deck):
            archive.writestr(source.path, write_deck_text(source))
    return buffer.getvalue()


# Files in


@dataclass
class UploadPlan:
    """What applying uploaded deck files would change; nothing is applied while problems exist."""

    slug: str = ""
    deck: Deck | None = None
    languages: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[DeckError] = field(default_factory=list)
    sources: list[DeckSource] = field(default_factory=list)


def plan_upload(user: AbstractBaseUser, files: dict[str, str]) -> UploadPlan:
    """Read uploaded deck files (name → text) and compare them with the deck they name."""
    plan = UploadPlan()
    for name, text in files.items():
        source, problems = read_deck_text(text, name)
        plan.problems += problems
        if source:
            plan.sources.append(source)
    if plan.problems:
        return plan
    try:
        grouped = loader.group_sources(plan.sources)
    except DeckError as error:
        plan.problems.append(error)
        return plan
    if len(grouped) != 1:
        plan.problems.append(DeckError(_("upload"), 1, _("Upload the files of one deck only.")))
        return plan
    ((plan.slug, plan.sources),) = grouped.items()
    plan.languages = [source.language for source in plan.sources]
    plan.deck = Deck.objects.filter(slug=plan.slug).first()
    first = plan.sources[0].path
    if plan.deck and plan.deck.source == Source.FILE:
        plan.problems.append(
            DeckError(
                first,
                1,
                _("Deck “%(deck)s” is loaded from content/: change it in git.")
                % {"deck": plan.slug},
            )
        )
    elif plan.deck and not roles.can_edit(user, plan.deck):
        plan.problems.append(
            DeckError(
                first, 1, _("Deck “%(deck)s” belongs to another teacher.") % {"deck": plan.slug}
            )
        )
    if plan.problems:
        return plan
    existing = {}
    if plan.deck:
        existing = {card.key: card for card in plan.deck.cards.active().prefetch_related("texts")}
    for shape in plan.sources[0].cards:
        card = existing.pop(shape.id, None)
        if card is None:
            plan.added.append(shape.id)
        elif _card_differs(card, shape.id, plan.sources):
            plan.changed.append(shape.id)
        else:
            plan.unchanged += 1
    plan.retired = list(existing)
    return plan


def _card_differs(card: Card, key: str, sources: list[DeckSource]) -> bool:
    stored = {text.language: _written(text.content) for text in card.texts.all()}
    wanted = {}
    for source in sources:
        written = next(c for c in source.cards if c.id == key)
        if (written.kind, written.tags) != (card.kind, card.tags):
            return True
        wanted[source.language] = written.content()
    return stored != wanted


def _written(content: CardContent) -> dict[str, Any]:
    return {key: value for key, value in content.items() if key not in proof.OUTPUT_FIELDS}


def apply_upload(user: AbstractBaseUser, plan: UploadPlan) -> Deck:
    """Load the planned files into a browser deck (creating it for the uploader if new).

    New cards arrive as drafts, and so do code cards whose code or checks changed: they are
    published again once their checks prove them.
    """
    if plan.problems:
        raise ValueError("a plan with problems cannot be applied")
    outputs = {
        snippet: storable(output)
        for snippet, output in loader.predict_outputs({plan.slug: plan.sources}).items()
    }
    with transaction.atomic():
        deck = plan.deck
        if deck is None:
            deck = Deck.objects.create(
                slug=plan.slug, source=Source.BROWSER, status=Status.DRAFT, owner=user
            )
        before = {
            card.key: card.text().content
            for card in deck.cards.active().filter(kind="code").prefetch_related("texts")
        }
        loader.load_deck_sources(plan.slug, plan.sources, outputs)
        Deck.objects.filter(pk=deck.pk).update(source_path="")
        deck.cards.filter(key__in=plan.added).update(status=Status.DRAFT)
        for key, content in before.items():
            card = deck.cards.get(key=key)
            if any(card.text().content.get(f) != content.get(f) for f in CODE_FIELDS):
                Card.objects.filter(pk=card.pk).update(status=Status.DRAFT)
    return deck
