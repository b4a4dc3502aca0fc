"""Each learner's own settings: their day, their parameters, their retention per deck."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from quiz.models.decks import Deck

DEFAULT_TIME_ZONE = "UTC"
DEFAULT_DAY_START = 4


class LearnerSettings(models.Model):
    """How a learner's day is cut and how their cards are scheduled; a learner with no row has
    the defaults (UTC, the day starts at 4 a.m., fitted parameters and load balancing on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_settings"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    day_starts_at = models.PositiveSmallIntegerField(
        _("next day starts at"),
        default=DEFAULT_DAY_START,
        validators=[MaxValueValidator(23)],
        help_text=_("The hour (0–23) at which your daily limits reset, as in Anki."),
    )
    use_fitted_parameters = models.BooleanField(
        _("use my own FSRS parameters"),
        default=True,
        help_text=_(
            "When parameters fitted on your reviews predict them better than the defaults."
        ),
    )
    load_balancing = models.BooleanField(
        _("balance the daily load"),
        default=True,
        help_text=_("Within FSRS's fuzz range, put each review on the day with the fewest."),
    )
    easy_days = models.JSONField(
        _("easy days"),
        default=list,
        blank=True,
        help_text=_("Weekdays (0 is Monday) that get fewer reviews."),
    )

    class Meta:
        verbose_name = _("learner settings")
        verbose_name_plural = _("learner settings")

    def __str__(self) -> str:
        return f"{self.user} · {self.time_zone}, day starts {self.day_starts_at}:00"


class PersonalRetention(models.Model):
    """A learner's own desired retention for one deck, chosen from the workload simulator."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE)
    desired_retention = models.FloatField(
        _("desired retention"), validators=[MinValueValidator(0.7), MaxValueValidator(0.97)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "deck"], name="one_personal_retention")
        ]
        verbose_name = _("personal desired retention")
        verbose_name_plural = _("personal desired retentions")

    def __str__(self) -> str:
        return f"{self.user} · {self.deck} · {self.desired_retention:.2f}"
