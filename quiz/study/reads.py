"""The presentation a study request acts on, read in one query of SQL written once."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import BooleanField, FloatField, IntegerField, JSONField, TextField
from django.utils.timezone import now

from quiz.models import Card, Deck, Presentation, Progress, Review
from quiz.models.rows import columns, convert, prepared, table, typed
from quiz.study import service

# The types of the extra columns, for their converters (one instance each: `typed` caches).
FLAG = (BooleanField(),)
TEXT = (IntegerField(), TextField(), JSONField(), BooleanField())
SCHEDULE = (FloatField(), TextField())


def presentation(
    token: UUID | str,
    user: AbstractBaseUser | None = None,
    *,
    lock: bool = False,
    schedule: bool = False,
    shown: bool = False,
) -> Presentation | None:
    """The presentation `token` with its card and deck (None if there is none, or, with `user`,
    if it was not shown to that learner), read as the request that acts on it needs it:

    - `lock`: locked until the transaction ends (for the answer), with `reviewed` (whether the
      learner has any review of the card);
    - `lock` or `schedule`: with the learner's progress on the card (`learner_progress`, None if
      not started), and with `schedule` the retention they study the deck at and their due dates
      (`due_dates`, for load balancing: `service.load_of`);
    - `shown`: with what the card fragment shows: the card's text in the learner's language
      (`service.attach_text`) and whether they flagged it (`flagged`).
    """
    presented, deck, card = columns(Presentation, "o"), columns(Deck, "d"), columns(Card, "c")
    select = [presented.sql, card.sql, deck.sql]
    joins = [
        f"JOIN {table(Card)} c ON c.id = o.card_id",
        f"JOIN {table(Deck)} d ON d.id = c.deck_id",
    ]
    params: list[Any] = []
    progress = columns(Progress, "p")
    if lock or schedule:
        select.append(progress.sql)
        joins.append(
            f"LEFT JOIN {table(Progress)} p ON p.card_id = o.card_id AND p.user_id = o.user_id"
        )
    if lock:
        select.append(
            f"EXISTS (SELECT 1 FROM {table(Review)} r "
            "WHERE r.user_id = o.user_id AND r.card_id = o.card_id)"
        )
    if shown:
        assert user is not None, "what the card shows is read for its learner"
        annotations = service.text_annotations("o.card_id")
        annotations["flagged"] = service.flag_annotation(user, "o.card_id")
        for name in ("text_id", "text_language", "text_content", "flagged"):
            select.append(f"({annotations[name].sql})")
            params.extend(annotations[name].params)
    if schedule:
        assert user is not None, "a card is scheduled for its learner"
        for scheduled in (service.retention_of(user, "d"), service.due_dates_of(user, now())):
            select.append(f"({scheduled.sql})")
            params.extend(scheduled.params)
    where = "o.token = %s"
    params.append(prepared(Presentation._meta.get_field("token"), token))
    if user is not None:
        where += " AND o.user_id = %s"
        params.append(user.pk)
    sql = f"SELECT {', '.join(select)} FROM {table(Presentation)} o {' '.join(joins)} "
    sql += f"WHERE {where}"
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF o" if connection.features.has_select_for_update_of else " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None

    read = presented.load(row)
    read.card = card.load(row, presented.width)
    read.card.deck = deck.load(row, presented.width + card.width)
    if user is not None:
        read.user = user
    at = presented.width + card.width + deck.width
    if lock or schedule:
        read.learner_progress = None
        if row[at] is not None:
            read.learner_progress = progress.load(row, at)
            read.learner_progress.card = read.card
        at += progress.width
    if lock:
        (read.reviewed,) = convert(row[at : at + 1], typed(*FLAG))
        at += 1
    if shown:
        text = convert(row[at : at + 4], typed(*TEXT))
        read.text_id, read.text_language, read.text_content, read.flagged = text
        service.attach_text(read.card, read)
        at += 4
    if schedule:
        retention, read.due_dates = convert(row[at : at + 2], typed(*SCHEDULE))
        read.card.deck.learner_retention = retention
    return read
