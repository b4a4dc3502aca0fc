"""Decks, cards and each learner's progress through them."""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

KIND_CHOICES = [
    ("basic", _("Basic")),
    ("choice", _("Choice")),
    ("type-in", _("Type-in")),
    ("order", _("Order")),
    ("predict", _("Predict the output")),
    ("code", _("Code")),
]
AUTO_GRADED = {"choice", "type-in", "order", "predict"}


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
        return pick_language(list(self.texts.all()), language or get_language())

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
        return pick_language(list(self.texts.all()), language or get_language())


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
    shown and stored here; answering applies exactly the stored outcome. The token makes an
    answer idempotent: a second submission of the same presentation is refused.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE)
    shown_at = models.DateTimeField(default=timezone.now)
    outcomes: Any = models.JSONField(help_text=_("Rating → the fsrs card after that rating."))
    answer = models.JSONField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)
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


def pick_language(texts: list[Any], language: str) -> Any:
    """The text in `language`, else English, else the first there is."""
    by_language = {t.language: t for t in texts}
    short = (language or "en").split("-")[0]
    for candidate in (short, "en"):
        if candidate in by_language:
            return by_language[candidate]
    if not texts:
        raise LookupError("no text in any language")
    return texts[0]


class Run(models.Model):
    """One run of a learner's code on a code card: kept with its verdict for learner and staff.

    `run_id` names the run to the Celery task, so a task delivered twice runs the code once.
    """

    class Kind(models.TextChoices):
        RUN = "run", _("run")
        CHECK = "check", _("check")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        ERROR = "error", _("error")

    run_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="runs")
    presentation = models.ForeignKey(
        Presentation, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    code = models.TextField(_("code"))
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=7, choices=Status.choices, default=Status.QUEUED
    )
    verdict: Any = models.JSONField(_("verdict"), null=True, blank=True)
    baseline: Any = models.JSONField(
        _("starter's verdict"),
        null=True,
        blank=True,
        help_text=_("The starter code's run, drawn beside this one on cards that compare."),
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    error = models.CharField(
        _("error"), max_length=20, blank=True, help_text=_("Why the run has no verdict.")
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "status", "created_at"])]
        verbose_name = _("run")
        verbose_name_plural = _("runs")

    def __str__(self) -> str:
        return f"{self.user} · {self.card} · {self.kind} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.ERROR)


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


class CheckDay(models.Model):
    """Per code card, check and UTC day: graded runs that had the check and how many failed it.

    A graded run is a check run that finished with a verdict (kind check, status done); its day is
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
    def add(cls, run: Run, verdict: dict[str, Any] | None, sign: int = 1) -> None:
        """Count a graded run's checks into its day (sign 1), or take them out again (sign -1)."""
        counts: dict[str, list[int]] = {}
        for check in (verdict or {}).get("checks") or []:
            tally = counts.setdefault(check["name"], [0, 0])
            tally[0] += 1
            tally[1] += 0 if check.get("passed") else 1
        day = run.created_at.astimezone(UTC).date()
        for name, (attempts, failed) in counts.items():
            rows = cls.objects.filter(card_id=run.card_id, day=day, name=name)
            if sign > 0:
                # Created first, then incremented in the database, so concurrent runs add up.
                cls.objects.get_or_create(card_id=run.card_id, day=day, name=name)
            rows.update(
                attempts=models.F("attempts") + sign * attempts,
                failed=models.F("failed") + sign * failed,
            )

    @classmethod
    def rebuild(cls) -> None:
        """Recount every day from the runs, for rows written around `add` (bulk loads)."""
        replace_all(cls, ["card_id", "day", "name", "attempts", "failed"], *outcome_sql())


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
        f"FROM {source} WHERE r.kind = %s AND r.status = %s {where} "
        f"GROUP BY r.card_id, {day}, {name}"
    )
    return sql, [Run.Kind.CHECK.value, Run.Status.DONE.value]


@receiver(post_delete, sender=Run)
def uncount_deleted_run(sender: type[Run], instance: Run, **kwargs: Any) -> None:
    """A deleted graded run no longer counts, as it no longer did when figures read the runs."""
    if instance.kind == Run.Kind.CHECK and instance.status == Run.Status.DONE:
        CheckDay.add(instance, instance.verdict, sign=-1)


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
        if sign > 0:
            # Created first, then incremented in the database, so concurrent answers add up.
            cls.objects.get_or_create(card_id=review.card_id, day=day)
        cls.objects.filter(card_id=review.card_id, day=day).update(
            reviews=models.F("reviews") + sign,
            in_review=models.F("in_review") + sign * in_review,
            lapses=models.F("lapses") + sign * (in_review and review.rating == Review.Rating.AGAIN),
            duration_ms_total=models.F("duration_ms_total") + sign * review.duration_ms,
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


@receiver(pre_save, sender=Review)
def uncount_changed_review(sender: type[Review], instance: Review, **kwargs: Any) -> None:
    """An edited review (the admin) is taken out as it was, and counted again as saved."""
    if instance.pk and not kwargs.get("raw"):
        old = Review.objects.filter(pk=instance.pk).first()
        if old is not None:
            ReviewDay.add(old, sign=-1)


@receiver(post_save, sender=Review)
def count_saved_review(
    sender: type[Review], instance: Review, created: bool, **kwargs: Any
) -> None:
    """Every review saved counts, as every review stored counted when figures read them all.

    Fixtures being loaded (raw) bring their ReviewDay rows with them."""
    if kwargs.get("raw"):
        return
    # An edited review is counted as stored: a save of some fields leaves the others as they were.
    saved = instance if created else Review.objects.filter(pk=instance.pk).first()
    if saved is not None:
        ReviewDay.add(saved)


@receiver(post_delete, sender=Review)
def uncount_deleted_review(sender: type[Review], instance: Review, **kwargs: Any) -> None:
    """A deleted review (undo, or a learner or card deleted) no longer counts."""
    ReviewDay.add(instance, sign=-1)
