"""Per-learner FSRS parameters fitted on their own reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FittedParameters(models.Model):
    """A learner's own FSRS parameters, fitted on their review history, with how well they fit.

    The parameters are fitted on the learner's older reviews; the log losses are measured on
    their latest reviews, held out of the fit, for the default parameters and the fitted ones
    (lower is better). The fitted parameters schedule the learner's cards while they beat the
    defaults there (`in_use`); `in_use_since` records when they last switched on.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fitted_parameters"
    )
    parameters = models.JSONField(_("parameters"))
    reviews = models.PositiveIntegerField(_("reviews used"))
    log_loss_default = models.FloatField(_("log loss with default parameters"))
    log_loss_fitted = models.FloatField(_("log loss with fitted parameters"))
    held_out = models.PositiveIntegerField(_("held-out reviews"), default=0)
    fitted_at = models.DateTimeField(_("fitted"), default=timezone.now)
    in_use = models.BooleanField(_("used for scheduling"), default=False)
    in_use_since = models.DateTimeField(_("used for scheduling since"), null=True, blank=True)

    class Meta:
        verbose_name = _("fitted FSRS parameters")
        verbose_name_plural = _("fitted FSRS parameters")

    def __str__(self) -> str:
        return f"{self.user} · {self.fitted_at:%Y-%m-%d}"
