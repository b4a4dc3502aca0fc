"""Daily counts per card (reviews, check outcomes), kept as reviews and runs are written."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from quiz.models.decks import Card
from quiz.models.runs import Run
from quiz.models.study import Progress, Review
from quiz.runs.verdicts import Verdict


class CheckDay(models.Model):
    """Per code card, check and UTC day: graded runs that had the check and how many failed it.

    A graded run is a card's graded check that finished with a verdict (kind check, status done,
    not practice: checks after the graded one are practice and do not count); its day is
    the UTC date it was created. Kept as runs finish and are deleted, so the teacher's deck page
    sums a few indexed rows instead of unpacking every verdict; `rebuild` recounts from the runs.
    """

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="check_days")
    day = models.DateField(_("day (UTC)"))
    name = models.CharField(_("check"), max_length=100)
    attempts = models.PositiveIntegerField(_("graded runs"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "day", "name"], name="checkday_card_day_name")
        ]
        verbose_name = _("check outcomes of a day")
        verbose_name_plural = _("check outcomes per day")

    def __str__(self) -> str:
        return f"{self.card} · {self.day} · {self.name}: {self.failed}/{self.attempts}"

    @classmethod
    def add(cls, run: Run, verdict: Verdict | None, sign: int = 1) -> None:
        """Count a graded run's checks into its day (sign 1), or take them out again (sign -1)."""
        counts: dict[str, list[int]] = {}
        for check in (verdict or {}).get("checks") or []:
            tally = counts.setdefault(check["name"], [0, 0])
            tally[0] += 1
            tally[1] += 0 if check.get("passed") else 1
        day = run.created_at.astimezone(UTC).date()
        for name, (attempts, failed) in counts.items():
            if sign > 0:
                upsert_add(
                    cls, {"card_id": run.card_id, "day": day, "name": name},
                    {"attempts": attempts, "failed": failed},
                )  # fmt: skip
            else:
                cls.objects.filter(card_id=run.card_id, day=day, name=name).update(
                    attempts=models.F("attempts") - attempts, failed=models.F("failed") - failed
                )

    @classmethod
    def rebuild(cls) -> None:
        """Recount every day from the runs, for rows written around `add` (bulk loads)."""
        replace_all(cls, ["card_id", "day", "name", "attempts", "failed"], *outcome_sql())


def upsert_add(model: type[models.Model], key: dict[str, Any], add: dict[str, int]) -> None:
    """Add `add` to the counts of the row at `key`, creating it if missing: one statement that
    concurrent writers cannot lose an increment of (INSERT ... ON CONFLICT DO UPDATE, which
    SQLite 3.24+ and PostgreSQL share). `key` must be the columns of a unique constraint."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = {**key, **add}
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    values = [
        model._meta.get_field(name).get_db_prep_value(value, connection)
        for name, value in fields.items()
    ]
    conflict = ", ".join(quote(model._meta.get_field(name).column) for name in key)
    sums = ", ".join(
        f"{column} = {table}.{column} + excluded.{column}"
        for column in (quote(model._meta.get_field(name).column) for name in add)
    )
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(values))}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sums}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def replace_all(
    model: type[models.Model], columns: list[str], select: str, params: list[Any]
) -> None:
    """Replace every row of a daily-counts table with what `select` counts from the log."""
    table = connection.ops.quote_name(model._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {select}", params)


def utc_day(column: str) -> str:
    """SQL for the UTC date of a datetime column."""
    if connection.vendor == "postgresql":
        return f"({column} AT TIME ZONE 'UTC')::date"
    return f"date({column})"  # SQLite keeps datetimes as UTC text.


def outcome_sql(where: str = "") -> tuple[str, list[Any]]:
    """SELECT card_id, day, name, attempts, failed over graded runs' verdicts, by card, UTC day
    and check; `where` (on run r) narrows the runs. The database unnests the JSON checks."""
    run = connection.ops.quote_name(Run._meta.db_table)
    day = utc_day("r.created_at")
    if connection.vendor == "postgresql":
        source = f"{run} r CROSS JOIN LATERAL jsonb_array_elements(r.verdict -> 'checks') c"
        name, passed = "c ->> 'name'", "(c ->> 'passed')::boolean"
    else:
        source = f"{run} r, json_each(r.verdict, '$.checks') c"
        name, passed = "json_extract(c.value, '$.name')", "json_extract(c.value, '$.passed')"
    sql = (
        f"SELECT r.card_id, {day}, {name}, COUNT(*), SUM(CASE WHEN {passed} THEN 0 ELSE 1 END) "
        f"FROM {source} WHERE r.kind = %s AND r.status = %s AND r.practice = %s {where} "
        f"GROUP BY r.card_id, {day}, {name}"
    )
    return sql, [Run.Kind.CHECK.value, Run.Status.DONE.value, False]


class ReviewDay(models.Model):
    """Per card and UTC day: reviews, those of cards in review state, their lapses (Again) and
    the answer time they took, the per-card figures of the teacher's deck page.

    Kept as reviews are saved and deleted (signals below, so the ORM's every path counts), so
    the page sums a few indexed rows instead of every review of the deck; `rebuild` recounts
    from the reviews after bulk loads that go around the ORM.
    """

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="review_days")
    day = models.DateField(_("day (UTC)"))
    reviews = models.PositiveIntegerField(_("reviews"), default=0)
    in_review = models.PositiveIntegerField(_("reviews in review state"), default=0)
    lapses = models.PositiveIntegerField(_("lapses"), default=0)
    duration_ms_total = models.PositiveBigIntegerField(_("answer time (ms)"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["card", "day"], name="reviewday_card_day")]
        verbose_name = _("reviews of a day")
        verbose_name_plural = _("reviews per day")

    def __str__(self) -> str:
        return f"{self.card} · {self.day}: {self.reviews}"

    @classmethod
    def add(cls, review: Review, sign: int = 1) -> None:
        """Count a review into its day (sign 1), or take it out again (sign -1)."""
        in_review = review.state_before == Progress.State.REVIEW
        day = review.reviewed_at.astimezone(UTC).date()
        counts = {
            "reviews": 1,
            "in_review": int(in_review),
            "lapses": int(in_review and review.rating == Review.Rating.AGAIN),
            "duration_ms_total": review.duration_ms,
        }
        if sign > 0:
            upsert_add(cls, {"card_id": review.card_id, "day": day}, counts)
        else:
            cls.objects.filter(card_id=review.card_id, day=day).update(
                **{name: models.F(name) - count for name, count in counts.items()}
            )

    @classmethod
    def rebuild(cls) -> None:
        """Recount every day from the reviews, for rows written around the ORM (bulk loads)."""
        columns = ["card_id", "day", "reviews", "in_review", "lapses", "duration_ms_total"]
        replace_all(cls, columns, *review_day_sql())


def review_day_sql() -> tuple[str, list[Any]]:
    """SELECT card_id, day, reviews, in_review, lapses, duration_ms_total over every review, by
    card and UTC day."""
    review = connection.ops.quote_name(Review._meta.db_table)
    day = utc_day("v.reviewed_at")
    sql = (
        f"SELECT v.card_id, {day}, COUNT(*), "
        f"SUM(CASE WHEN v.state_before = %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN v.state_before = %s AND v.rating = %s THEN 1 ELSE 0 END), "
        f"SUM(v.duration_ms) FROM {review} v GROUP BY v.card_id, {day}"
    )
    state, again = Progress.State.REVIEW.value, Review.Rating.AGAIN.value
    return sql, [state, state, again]
