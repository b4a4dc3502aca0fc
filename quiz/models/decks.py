"""Decks, their cards and the texts of both in each language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quiz.kinds import KINDS, Kind
from quiz.languages import pick

KIND_CHOICES = [(kind.name, kind.label) for kind in KINDS.values()]
AUTO_GRADED = {kind.name for kind in KINDS.values() if kind.auto_graded}


class Status(models.TextChoices):
    """Whether learners see a deck or a card; decks and cards loaded from files are published."""

    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class Source(models.TextChoices):
    """Where a deck is written: in content/ files (read-only in the browser) or in the browser."""

    FILE = "file", _("deck file")
    BROWSER = "browser", _("browser")


class DeckQuerySet(models.QuerySet["Deck"]):
    def studyable(self) -> DeckQuerySet:
        """The decks learners see: published and not archived."""
        return self.filter(status=Status.PUBLISHED, archived_at__isnull=True)


class Deck(models.Model):
    slug = models.SlugField(_("id"), unique=True)
    source_path = models.CharField(
        _("source file"),
        max_length=500,
        blank=True,
        help_text=_("Set for decks loaded from files."),
    )
    languages = models.JSONField(_("languages"), default=list)
    desired_retention = models.FloatField(_("desired retention"), default=0.9)
    new_per_day = models.PositiveIntegerField(_("new cards per day"), default=10)
    reviews_per_day = models.PositiveIntegerField(_("maximum reviews per day"), default=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    source = models.CharField(
        _("written in"), max_length=10, choices=Source.choices, default=Source.FILE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    archived_at = models.DateTimeField(
        _("archived"), null=True, blank=True, help_text=_("Hidden from learners; history kept.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_decks",
    )
    coauthors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-authors"),
        blank=True,
        related_name="coauthored_decks",
    )

    objects = DeckQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("deck")
        verbose_name_plural = _("decks")

    def __str__(self) -> str:
        return self.slug

    def text(self, language: str | None = None) -> DeckText:
        """The deck's title and description in the given (or current) language, or its first."""
        return pick({text.language: text for text in self.texts.all()}, language)

    @property
    def title(self) -> str:
        return self.text().title


class DeckText(models.Model):
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deck", "language"], name="one_text_per_deck_language")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class CardQuerySet(models.QuerySet["Card"]):
    def active(self) -> CardQuerySet:
        return self.filter(retired_at__isnull=True)

    def studyable(self) -> CardQuerySet:
        """The cards learners are shown: not retired, and published."""
        return self.filter(retired_at__isnull=True, status=Status.PUBLISHED)


class Card(models.Model):
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="cards")
    key = models.SlugField(_("card id"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=KIND_CHOICES)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    retired_at = models.DateTimeField(
        _("retired"), null=True, blank=True, help_text=_("Removed from its deck; history kept.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["deck", "position"]
        constraints = [models.UniqueConstraint(fields=["deck", "key"], name="unique_card_key")]
        verbose_name = _("card")
        verbose_name_plural = _("cards")

    def __str__(self) -> str:
        return f"{self.deck.slug}/{self.key}"

    def text(self, language: str | None = None) -> CardText:
        return pick({text.language: text for text in self.texts.all()}, language)

    @property
    def kind_spec(self) -> Kind:
        """What its kind declares (quiz.kinds): content, grading, templates."""
        return KINDS[self.kind]


class CardText(models.Model):
    """A card's content in one language: front, back and what its kind needs (see deckfile)."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    content = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "language"], name="one_text_per_card_language")
        ]

    def __str__(self) -> str:
        return f"{self.card} ({self.language})"

    @property
    def front(self) -> str:
        return self.content.get("front", "")

    @property
    def back(self) -> str:
        return self.content.get("back", "")
