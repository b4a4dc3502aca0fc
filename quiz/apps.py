"""The quiz app: decks, studying, the runner's verdicts."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizConfig(AppConfig):
    name = "quiz"
    verbose_name = _("loopdeck")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from quiz.models import signals  # noqa: F401  (connects the receivers)
        from quiz.runs import sandbox  # noqa: F401  (registers the system check)
