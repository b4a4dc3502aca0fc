"""Progress figures for learners, teachers and staff, each aggregated in the database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncDate
from django.utils import timezone
from fsrs import Scheduler

from quiz.models import (
    Card,
    CheckDay,
    Deck,
    Progress,
    Review,
    ReviewDay,
    Run,
    outcome_sql,
)
from quiz.runs.verdicts import Verdict
from quiz.study.scheduling import FSRS_FIELDS, UTC_DAY, LearnerDay, fsrs_card, learner_day

# Anki's line between young and mature cards. The interval FSRS gives a card is its stability
# at the deck's desired retention of 0.9, so the stability before a review stands for it.
MATURE_DAYS = 21
HEATMAP_DAYS = 365
FORECAST_DAYS = 30
COHORT_DAYS = 30
RECENT_RUNS = 20
HARDEST_CARDS = 10
NAMES_SHOWN = 100

REVIEW_STATE = Q(state_before=Progress.State.REVIEW)
YOUNG = REVIEW_STATE & Q(previous__stability__lt=MATURE_DAYS)
MATURE = REVIEW_STATE & Q(previous__stability__gte=MATURE_DAYS)
RECALLED = ~Q(rating=Review.Rating.AGAIN)


@dataclass(frozen=True)
class Ratio:
    """`part` of `whole`, e.g. reviews recalled of reviews made; no share when `whole` is 0."""

    part: int
    whole: int

    @property
    def share(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> float | None:
        return None if self.share is None else 100 * self.share


@dataclass(frozen=True)
class Retention:
    """True retention: the share of reviews of cards in review state not answered Again."""

    young: Ratio
    mature: Ratio

    @property
    def overall(self) -> Ratio:
        return Ratio(self.young.part + self.mature.part, self.young.whole + self.mature.whole)


def retention_aggregates() -> dict[str, Count]:
    """The four counts `retention_from` needs, for aggregate() or annotate()."""
    return {
        "young_passed": Count("id", filter=YOUNG & RECALLED),
        "young_total": Count("id", filter=YOUNG),
        "mature_passed": Count("id", filter=MATURE & RECALLED),
        "mature_total": Count("id", filter=MATURE),
    }


def retention_from(row: dict[str, Any]) -> Retention:
    return Retention(
        young=Ratio(row.get("young_passed") or 0, row.get("young_total") or 0),
        mature=Ratio(row.get("mature_passed") or 0, row.get("mature_total") or 0),
    )


def local_day(moment: datetime) -> date:
    """The UTC date of a moment: staff figures count UTC days, like ReviewDay and CheckDay."""
    return moment.astimezone(UTC).date()


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day` (staff figures and exports)."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def learner_date(field: str, day: LearnerDay) -> TruncDate:
    """The learner's date of a datetime column, grouped in the database: their time zone, their
    day shifted by the hour it starts at."""
    shifted = ExpressionWrapper(F(field) - Value(day.shift), output_field=DateTimeField())
    return TruncDate(shifted, tzinfo=day.zone)


def streak(days: set[date], today: date) -> int:
    """Days in a row with a review, up to today; today still counts as open until it ends."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


# --- Learner ---------------------------------------------------------------------------------


@dataclass
class DeckRetention:
    deck: Deck
    retention: Retention


@dataclass
class TopicMastery:
    """How well a learner knows one tag: the mean chance of recalling its cards today."""

    tag: str
    cards: int
    seen: int
    recall: float


@dataclass
class LearnerProgress:
    user: AbstractBaseUser
    today: date
    review_days: dict[date, int]
    streak: int
    forecast: list[tuple[date, int]]
    states: dict[str, int]
    retention: list[DeckRetention]
    topics: list[TopicMastery]
    runs: list[Run]

    @property
    def reviews_last_year(self) -> int:
        first = self.today - timedelta(days=HEATMAP_DAYS - 1)
        return sum(n for day, n in self.review_days.items() if day >= first)


def learner_progress(
    user: AbstractBaseUser,
    now: datetime | None = None,
    parameters: Sequence[float] | None = None,
) -> LearnerProgress:
    """Everything "My progress" shows, in a fixed number of queries; `parameters` are the FSRS
    parameters that schedule the learner (the defaults when None)."""
    now = now or timezone.now()
    day = learner_day(user)
    today = day.today(now)
    days = review_days(user, day)
    return LearnerProgress(
        user=user,
        today=today,
        review_days=days,
        streak=streak(set(days), today),
        forecast=forecast(user, today, day=day),
        states=state_counts(user),
        retention=deck_retention(user),
        topics=topic_mastery(user, now, parameters),
        runs=recent_runs(user),
    )


def review_days(user: AbstractBaseUser, day: LearnerDay = UTC_DAY) -> dict[date, int]:
    """Reviews per learner's day over their whole history (one row per day, not per review)."""
    rows = (
        Review.objects.filter(user=user)
        .annotate(day=learner_date("reviewed_at", day))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["day"]: row["n"] for row in rows}


def studyable_cards() -> QuerySet[Card]:
    return Card.objects.studyable().filter(deck__in=Deck.objects.studyable())


def forecast(
    user: AbstractBaseUser, today: date, days: int = FORECAST_DAYS, day: LearnerDay = UTC_DAY
) -> list[tuple[date, int]]:
    """Cards due on each of the learner's next `days` days; overdue cards count as due today."""
    end = day.start_of(today + timedelta(days=days))
    rows = (
        Progress.objects.filter(user=user, card__in=studyable_cards(), due__lt=end)
        .annotate(day=learner_date("due", day))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    due = dict.fromkeys((today + timedelta(days=i) for i in range(days)), 0)
    for row in rows:
        due[max(row["day"], today)] += row["n"]
    return list(due.items())


STATE_NAMES = {
    Progress.State.LEARNING: "learning",
    Progress.State.REVIEW: "review",
    Progress.State.RELEARNING: "relearning",
}


def state_counts(user: AbstractBaseUser) -> dict[str, int]:
    """Studyable cards by FSRS state: new (never seen), learning, review, relearning."""
    rows = (
        Progress.objects.filter(user=user, card__in=studyable_cards())
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(["new", "learning", "review", "relearning"], 0)
    for row in rows:
        counts[STATE_NAMES[row["state"]]] = row["n"]
    counts["new"] = studyable_cards().count() - sum(counts.values())
    return counts


def deck_retention(user: AbstractBaseUser) -> list[DeckRetention]:
    """True retention per deck the learner has reviewed, beside the deck's desired retention."""
    rows = {
        row["card__deck"]: row
        for row in Review.objects.filter(user=user)
        .values("card__deck")
        .annotate(**retention_aggregates())
        .order_by()
    }
    decks = Deck.objects.filter(pk__in=rows).prefetch_related("texts")
    return [DeckRetention(deck, retention_from(rows[deck.pk])) for deck in decks]


def topic_mastery(
    user: AbstractBaseUser, now: datetime, parameters: Sequence[float] | None = None
) -> list[TopicMastery]:
    """Per tag: cards, cards seen, and the mean predicted recall today (new cards count as 0),
    by the parameters that schedule the learner.

    Reads one row per card (a deck's size), never the review log.
    """
    scheduler = Scheduler() if parameters is None else Scheduler(parameters=parameters)
    recall: dict[int, float] = {}
    for row in Progress.objects.filter(user=user, card__in=studyable_cards()).values(
        "card_id", *FSRS_FIELDS
    ):
        card = fsrs_card(row["card_id"], row)
        recall[row["card_id"]] = scheduler.get_card_retrievability(card, now)
    topics: dict[str, list[int]] = defaultdict(list)
    for card_id, tags in studyable_cards().values_list("id", "tags"):
        for tag in tags or []:
            topics[tag].append(card_id)
    return [
        TopicMastery(
            tag=tag,
            cards=len(ids),
            seen=sum(1 for i in ids if i in recall),
            recall=sum(recall.get(i, 0.0) for i in ids) / len(ids),
        )
        for tag, ids in sorted(topics.items())
    ]


def recent_runs(user: AbstractBaseUser, limit: int = RECENT_RUNS) -> list[Run]:
    return list(
        Run.objects.filter(user=user)
        .select_related("card__deck")
        .prefetch_related("card__texts")
        .order_by("-created_at", "-pk")[:limit]
    )


def failed_checks(verdict: Verdict | None) -> list[str]:
    """Names of the checks a run's verdict failed."""
    checks = (verdict or {}).get("checks") or []
    return [check["name"] for check in checks if not check.get("passed")]


# --- Teacher ---------------------------------------------------------------------------------


@dataclass
class CheckFailure:
    name: str
    attempts: int
    failed: int

    @property
    def ratio(self) -> Ratio:
        return Ratio(self.failed, self.attempts)


@dataclass
class CardInsight:
    card: Card
    reviews: int
    lapses: Ratio
    average_seconds: float | None
    checks: list[CheckFailure] = field(default_factory=list)

    @property
    def most_failed(self) -> CheckFailure | None:
        failing = [check for check in self.checks if check.failed]
        return max(failing, key=lambda c: (c.ratio.share, c.failed)) if failing else None


@dataclass
class DeckInsights:
    deck: Deck
    since: datetime | None
    learners: int
    active_week: int
    names: list[str]
    cards: list[CardInsight]

    @property
    def more_names(self) -> int:
        return max(0, self.learners - len(self.names))

    @property
    def hardest(self) -> list[CardInsight]:
        """Cards with any review-state reviews, highest lapse rate first."""
        rated = [c for c in self.cards if c.lapses.whole]
        rated.sort(key=lambda c: (-(c.lapses.share or 0), -c.lapses.part, c.card.position))
        return rated[:HARDEST_CARDS]


def deck_insights(deck: Deck, since: datetime | None, now: datetime | None = None) -> DeckInsights:
    """Learners of the deck (counts and names only) and per-card figures since `since`."""
    now = now or timezone.now()
    learners = get_user_model().objects.filter(
        Exists(Progress.objects.filter(user=OuterRef("pk"), card__deck=deck))
    )
    active = (
        Review.objects.filter(card__deck=deck, reviewed_at__gte=now - timedelta(days=7))
        .values("user")
        .distinct()
        .count()
    )
    per_card = card_reviews(deck, since)
    cards = (
        Card.objects.filter(deck=deck, retired_at__isnull=True)
        .select_related("deck")
        .prefetch_related("texts")
        .order_by("position")
    )
    failures = check_failures(deck, since)
    insights = []
    for card in cards:
        reviews, in_review, lapses, duration_ms = per_card.get(card.pk, (0, 0, 0, 0))
        insights.append(
            CardInsight(
                card=card,
                reviews=reviews,
                lapses=Ratio(lapses, in_review),
                # The mean of the answers' times, as AVG(duration_ms) over the reviews was.
                average_seconds=duration_ms / reviews / 1000 if reviews else None,
                checks=failures.get(card.pk, []),
            )
        )
    return DeckInsights(
        deck=deck,
        since=since,
        learners=learners.count(),
        active_week=active,
        names=list(learners.order_by("username").values_list("username", flat=True)[:NAMES_SHOWN]),
        cards=insights,
    )


def card_reviews(deck: Deck, since: datetime | None) -> dict[int, tuple[int, int, int, int]]:
    """Per card of `deck` with reviews since `since`: reviews, those in review state, their
    lapses and the reviews' answer time in ms.

    Whole UTC days come from ReviewDay; the part of a day the window starts in (from `since` to
    the next midnight UTC) is counted from its reviews, so the figures are those of every review
    since `since`.
    """
    days = ReviewDay.objects.filter(card__deck=deck)
    rows: list[dict[str, int]] = []
    if since:
        first_whole_day = since.astimezone(UTC).date() + timedelta(days=1)
        days = days.filter(day__gte=first_whole_day)
        midnight = datetime.combine(first_whole_day, time.min, tzinfo=UTC)
        part_day = (
            Review.objects.filter(card__deck=deck, reviewed_at__gte=since, reviewed_at__lt=midnight)
            .values("card")
            .annotate(
                n=Count("id"),
                in_review=Count("id", filter=REVIEW_STATE),
                lapses=Count("id", filter=REVIEW_STATE & ~RECALLED),
                duration_ms=Sum("duration_ms"),
            )
            .order_by()
        )
        rows.extend(part_day)
    rows.extend(
        days.values("card")
        .annotate(
            n=Sum("reviews"),
            in_review=Sum("in_review"),
            lapses=Sum("lapses"),
            duration_ms=Sum("duration_ms_total"),
        )
        .order_by()
    )
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        for index, name in enumerate(["n", "in_review", "lapses", "duration_ms"]):
            # PostgreSQL sums a bigint column as numeric (Decimal).
            totals[row["card"]][index] += int(row[name])
    # Cards whose every review was undone keep rows of zeros; they have no reviews, as before.
    return {card: (n, i, lapses, ms) for card, (n, i, lapses, ms) in totals.items() if n}


def check_failures(deck: Deck, since: datetime | None) -> dict[int, list[CheckFailure]]:
    """Per code card of `deck`: for each check, graded runs since `since` that had it and how
    many failed, most failed first.

    Whole UTC days come from CheckDay; the part of a day the window starts in (from `since` to
    the next midnight UTC) is counted from its runs' verdicts, so the window is the same as the
    reviews' beside it.
    """
    days = CheckDay.objects.filter(card__deck=deck)
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    if since:
        first_whole_day = since.astimezone(UTC).date() + timedelta(days=1)
        days = days.filter(day__gte=first_whole_day)
        midnight = datetime.combine(first_whole_day, time.min, tzinfo=UTC)
        select, params = outcome_sql(
            f"AND r.created_at >= %s AND r.created_at < %s AND r.card_id IN "
            f"(SELECT id FROM {connection.ops.quote_name(Card._meta.db_table)} WHERE deck_id = %s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(select, [*params, since, midnight, deck.pk])
            for card_id, _day, name, attempts, failed in cursor.fetchall():
                totals[card_id, name][0] += attempts
                totals[card_id, name][1] += failed
    for row in (
        days.values("card", "name")
        .annotate(attempts=Sum("attempts"), failed=Sum("failed"))
        .order_by()
    ):
        totals[row["card"], row["name"]][0] += row["attempts"]
        totals[row["card"], row["name"]][1] += row["failed"]
    found: dict[int, list[CheckFailure]] = defaultdict(list)
    for (card_id, name), (attempts, failed) in totals.items():
        if attempts:
            found[card_id].append(CheckFailure(name, attempts, failed))
    for checks in found.values():
        checks.sort(key=lambda c: (-(c.ratio.share or 0), c.name))
    return found


# --- Staff -----------------------------------------------------------------------------------


@dataclass
class CohortDay:
    day: date
    reviews: int
    learners: int


@dataclass
class Cohort:
    days: list[CohortDay]
    retention: Retention
    overdue_cards: int
    learners_overdue: int


def cohort(now: datetime | None = None, days: int = COHORT_DAYS) -> Cohort:
    """Reviews and active learners per day, true retention and the due backlog, for everyone."""
    now = now or timezone.now()
    today = local_day(now)
    since = day_start(today - timedelta(days=days - 1))
    recent = Review.objects.filter(reviewed_at__gte=since)
    # Two passes, not one: COUNT(DISTINCT) sorts its rows, and a sort of the narrow (day, user)
    # rows is several times cheaper than of rows carrying the JSON the retention reads.
    per_day = {
        row["day"]: row
        for row in recent.annotate(day=TruncDate("reviewed_at", tzinfo=UTC))
        .values("day")
        .annotate(reviews=Count("id"), learners=Count("user", distinct=True))
        .order_by()
    }
    series = []
    for i in range(days):
        day = today - timedelta(days=days - 1 - i)
        row = per_day.get(day, {})
        series.append(CohortDay(day, row.get("reviews", 0), row.get("learners", 0)))
    overdue = Progress.objects.filter(due__lte=now, card__in=studyable_cards()).aggregate(
        cards=Count("id"), learners=Count("user", distinct=True)
    )
    return Cohort(
        days=series,
        retention=retention_from(recent.aggregate(**retention_aggregates())),
        overdue_cards=overdue["cards"],
        learners_overdue=overdue["learners"],
    )


LEARNER_SORTS = {
    "name": "username",
    "last_active": "last_active",
    "reviews": "recent_reviews",
    "retention": "retention",
    "overdue": "overdue",
}


def learner_table(
    now: datetime | None = None, sort: str = "last_active", descending: bool = True
) -> QuerySet[Any]:
    """Every learner who has studied, with last activity, recent reviews, retention, overdue.

    Each figure is a correlated subquery on an indexed (user, ...) range, so the table sorts on
    any of them in the database; the caller pages through it.
    """
    now = now or timezone.now()
    since = day_start(local_day(now) - timedelta(days=COHORT_DAYS - 1))
    own = Review.objects.filter(user=OuterRef("pk"))
    recent = own.filter(reviewed_at__gte=since).order_by().values("user")

    def per_user(queryset: QuerySet[Any], expression: Any, output: Any) -> Subquery:
        return Subquery(queryset.annotate(v=expression).values("v"), output_field=output)

    retention = Cast(Count("id", filter=RECALLED), FloatField()) / NullIf(
        Cast(Count("id"), FloatField()), Value(0.0)
    )
    users = (
        get_user_model()
        .objects.filter(Exists(Progress.objects.filter(user=OuterRef("pk"))))
        .annotate(
            last_active=Subquery(own.order_by("-reviewed_at").values("reviewed_at")[:1]),
            recent_reviews=Coalesce(per_user(recent, Count("id"), IntegerField()), Value(0)),
            retention=per_user(recent.filter(REVIEW_STATE), retention, FloatField()),
            overdue=Coalesce(
                per_user(
                    Progress.objects.filter(
                        user=OuterRef("pk"), due__lte=now, card__in=studyable_cards()
                    )
                    .order_by()
                    .values("user"),
                    Count("id"),
                    IntegerField(),
                ),
                Value(0),
            ),
        )
    )
    column = F(LEARNER_SORTS.get(sort, "last_active"))
    ordered = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return users.order_by(ordered, "username")
