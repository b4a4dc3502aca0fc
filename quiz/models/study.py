"""Each learner's progress through the cards: FSRS state, presentations and reviews."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quiz.models.decks import Card


class Progress(models.Model):
    """A learner's FSRS state for one card; a card with no row is new to that learner."""

    class State(models.IntegerChoices):
        LEARNING = 1, _("learning")
        REVIEW = 2, _("review")
        RELEARNING = 3, _("relearning")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="progress")
    state = models.PositiveSmallIntegerField(choices=State.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(db_index=True)
    last_review = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "card"], name="one_progress")]
        indexes = [models.Index(fields=["user", "due"])]
        verbose_name = _("progress")
        verbose_name_plural = _("progress")

    def __str__(self) -> str:
        return f"{self.user} · {self.card} · due {self.due:%Y-%m-%d %H:%M}"


class Presentation(models.Model):
    """A card shown to a learner, with the outcome of each rating computed once.

    fsrs fuzzes review intervals, so the intervals on the buttons are computed when the card is
    shown and stored here, and again once at the answer (`checked_at`); rating applies exactly
    the stored outcome. The token makes an answer idempotent: a second submission of the same
    presentation is refused.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE)
    shown_at = models.DateTimeField(default=timezone.now)
    # Empty until the answer is shown: `service.mark_checked` computes them from that moment.
    outcomes: Any = models.JSONField(help_text=_("Rating → the fsrs card after that rating."))
    answer = models.JSONField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)
    checked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the learner answered (or turned the card over); answer time ends here."),
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · {self.card} at {self.shown_at:%Y-%m-%d %H:%M}"


class Review(models.Model):
    """One answer: the review log FSRS and the progress pages are built from."""

    class Rating(models.IntegerChoices):
        AGAIN = 1, _("Again")
        HARD = 2, _("Hard")
        GOOD = 3, _("Good")
        EASY = 4, _("Easy")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    reviewed_at = models.DateTimeField(default=timezone.now, db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    answer = models.JSONField(null=True, blank=True)
    state_before = models.PositiveSmallIntegerField(null=True, blank=True)
    previous = models.JSONField(
        null=True, blank=True, help_text=_("The progress before this answer, for undo.")
    )
    presentation = models.OneToOneField(
        Presentation, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-reviewed_at"]
        indexes = [models.Index(fields=["user", "reviewed_at"])]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.user} · {self.card} · {self.get_rating_display()}"


class CardMark(models.Model):
    """A learner's marks on one card, set from the review screen: buried until a time (the
    next day), suspended until they lift it, or flagged for themselves."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="marks")
    buried_until = models.DateTimeField(_("buried until"), null=True, blank=True)
    suspended = models.BooleanField(_("suspended"), default=False)
    flagged = models.BooleanField(_("flagged"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "card"], name="one_card_mark")]
        verbose_name = _("card mark")
        verbose_name_plural = _("card marks")

    def __str__(self) -> str:
        return f"{self.user} · {self.card}"


class ExtraNewCards(models.Model):
    """Study more today: new cards a learner added to a deck's limit for one day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    deck = models.ForeignKey("quiz.Deck", on_delete=models.CASCADE)
    day = models.DateField(_("day"))
    cards = models.PositiveIntegerField(_("extra new cards"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "deck", "day"], name="one_extra_per_day")
        ]
        verbose_name = _("extra new cards")
        verbose_name_plural = _("extra new cards")

    def __str__(self) -> str:
        return f"{self.user} · {self.deck} · {self.day}: +{self.cards}"
