"""The session's user, read with what every learner's page asks of it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from quiz.models import FittedParameters, LearnerSettings
from quiz.models.rows import columns, table


class LearnerBackend(ModelBackend):
    """Django's model backend, whose session user comes in one query with the learner's settings
    (their time zone and day, read on every page) and fitted FSRS parameters (read whenever a
    card is scheduled); a learner without either row has them as missing, with no query more.

    Every request reads it, so it is SQL written once (`quiz.models.rows`), as `select_related`
    would have written it."""

    def get_user(self, user_id: Any) -> Any:
        User = get_user_model()
        user, own, fitted = (
            columns(User, "u"),
            columns(LearnerSettings, "s"),
            columns(FittedParameters, "f"),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {user.sql}, {own.sql}, {fitted.sql} FROM {table(User)} u "
                f"LEFT JOIN {table(LearnerSettings)} s ON s.user_id = u.id "
                f"LEFT JOIN {table(FittedParameters)} f ON f.user_id = u.id WHERE u.id = %s",
                [user_id],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        found = user.load(row)
        for related, model_columns, start in (
            (User.learner_settings.related, own, user.width),
            (User.fitted_parameters.related, fitted, user.width + own.width),
        ):
            loaded = None
            if row[start] is not None:  # the row's primary key: NULL when the user has none
                loaded = model_columns.load(row, start)
                related.field.set_cached_value(loaded, found)
            related.set_cached_value(found, loaded)
        return found if self.user_can_authenticate(found) else None
