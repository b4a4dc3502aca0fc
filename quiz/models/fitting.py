"""Per-learner FSRS parameters fitted on their own reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FittedParameters(models.Model):
    """A learner's own FSRS parameters, fitted on their review history, with how well they fit.

    The log losses are measured on the same history the parameters were fitted on, for the
    default parameters and the fitted ones: lower is better.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fitted_parameters"
    )
    parameters = models.JSONField(_("parameters"))
    reviews = models.PositiveIntegerField(_("reviews used"))
    log_loss_default = models.FloatField(_("log loss with default parameters"))
    log_loss_fitted = models.FloatField(_("log loss with fitted parameters"))
    fitted_at = models.DateTimeField(_("fitted"), default=timezone.now)

    class Meta:
        verbose_name = _("fitted FSRS parameters")
        verbose_name_plural = _("fitted FSRS parameters")

    def __str__(self) -> str:
        return f"{self.user} · {self.fitted_at:%Y-%m-%d}"
