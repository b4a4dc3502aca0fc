"""The session's user, read with what every learner's page asks of it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class LearnerBackend(ModelBackend):
    """Django's model backend, whose session user comes in one query with the learner's settings
    (their time zone and day, read on every page) and fitted FSRS parameters (read whenever a
    card is scheduled); a learner without either row has them as missing, with no query more."""

    def get_user(self, user_id: Any) -> Any:
        users = get_user_model()._default_manager.select_related(
            "learner_settings", "fitted_parameters"
        )
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
