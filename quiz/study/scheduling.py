"""FSRS-6 scheduling through the `fsrs` package: outcomes computed once, stored, applied.

Each learner is scheduled with their own parameters when those beat the defaults (see
quiz.progress.fitting), at their own desired retention when they chose one, on their own day
(their time zone, and the hour their next day starts), with reviews spread over the days of
FSRS's fuzz range so that no day piles up and easy days stay light.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.card import CardDict
from fsrs.scheduler import FUZZ_RANGES

from quiz.models import (
    Card,
    Deck,
    FittedParameters,
    LearnerSettings,
    PersonalRetention,
    Progress,
    Status,
)

RATINGS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)
# On an easy day a review weighs this many reviews on another day, so fewer land there.
EASY_DAY_WEIGHT = 4
# Reviews of intervals shorter than this are not fuzzed by fsrs, so they are not moved either.
SHORTEST_BALANCED = 3

User = AbstractBaseUser | AnonymousUser


# --- The learner's settings and day ----------------------------------------------------------


def learner_settings(user: User | None) -> LearnerSettings:
    """The learner's settings row, or the defaults (unsaved) when they have none."""
    if user is None or not user.is_authenticated:
        return LearnerSettings()
    try:
        return user.learner_settings  # type: ignore[union-attr]
    except LearnerSettings.DoesNotExist:
        defaults = LearnerSettings(user=user)
        user.learner_settings = defaults  # type: ignore[union-attr]  # asked again: no query
        return defaults


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone of that name; UTC for a name zoneinfo does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class LearnerDay:
    """A learner's day: it starts at `starts_at` o'clock in their time zone (4 a.m. by default,
    as Anki's), so reviews at 1 a.m. still count for the evening before."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    starts_at: int = 0

    def date_of(self, moment: datetime) -> date:
        """The learner's date of a moment (arithmetic on an aware datetime is on its wall time)."""
        return (moment.astimezone(self.zone) - self.shift).date()

    def today(self, now: datetime) -> date:
        return self.date_of(now)

    def start_of(self, day: date) -> datetime:
        """When the learner's `day` begins, as an aware datetime."""
        return datetime.combine(day, time(self.starts_at), tzinfo=self.zone)

    def start(self, now: datetime) -> datetime:
        """When the learner's current day began: daily limits count answers from here."""
        return self.start_of(self.date_of(now))

    def end(self, now: datetime) -> datetime:
        """When the learner's next day begins."""
        return self.start_of(self.date_of(now) + timedelta(days=1))

    @property
    def shift(self) -> timedelta:
        """How far after local midnight the day starts (for grouping in the database)."""
        return timedelta(hours=self.starts_at)


UTC_DAY = LearnerDay(ZoneInfo("UTC"), 0)


def learner_day(user: User | None) -> LearnerDay:
    """The learner's own day (time zone and day start), from their settings."""
    chosen = learner_settings(user)
    return LearnerDay(zone_named(chosen.time_zone), chosen.day_starts_at)


def day_start(user: User | None, now: datetime) -> datetime:
    """When the learner's current day began (what the daily limits count from)."""
    return learner_day(user).start(now)


# --- Parameters and the scheduler ------------------------------------------------------------


def parameters_for(user: User | None) -> tuple[float, ...] | None:
    """The learner's fitted FSRS parameters when they schedule the learner's cards, else None
    (the defaults): fitted, better than the defaults on held-out reviews, and not opted out."""
    if user is None or not user.is_authenticated:
        return None
    if not learner_settings(user).use_fitted_parameters:
        return None
    try:  # read with the session's user (quiz.accounts.backends), else asked once here
        fitted = user.fitted_parameters  # type: ignore[union-attr]
    except FittedParameters.DoesNotExist:
        return None
    return tuple(fitted.parameters) if fitted.in_use else None


def retention_for(deck: Deck, user: User | None) -> float:
    """The learner's own desired retention for the deck, else the deck's.

    A deck read to schedule the learner's card (`reads.presentation`) brings it
    (`learner_retention`)."""
    if getattr(deck, "learner_retention", None) is not None:
        return deck.learner_retention  # type: ignore[attr-defined]
    if user is not None and user.is_authenticated:
        own = (
            PersonalRetention.objects.filter(user=user, deck=deck)
            .values_list("desired_retention", flat=True)
            .first()
        )
        if own is not None:
            return own
    return deck.desired_retention


def scheduler_for(deck: Deck, user: User | None = None, fuzz: bool | None = None) -> Scheduler:
    """The fsrs Scheduler for the learner's cards of `deck`."""
    fuzz = settings.FSRS_FUZZ if fuzz is None else fuzz
    retention = retention_for(deck, user)
    parameters = parameters_for(user)
    if parameters is not None:
        try:
            return Scheduler(
                parameters=parameters, desired_retention=retention, enable_fuzzing=fuzz
            )
        except ValueError:
            pass  # out of fsrs' bounds: the defaults schedule instead
    return Scheduler(desired_retention=retention, enable_fuzzing=fuzz)


# The Progress fields that make up an fsrs Card (with the card's id).
FSRS_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def fsrs_card(card_id: int, progress: Progress | dict[str, Any] | None) -> FsrsCard:
    """The fsrs Card of a learner's Progress row, or of its `values(*FSRS_FIELDS)`; a new card
    when there is no progress."""
    if progress is None:
        return FsrsCard(card_id=card_id)
    if not isinstance(progress, dict):
        progress = {name: getattr(progress, name) for name in FSRS_FIELDS}
    return FsrsCard(
        card_id=card_id,
        state=State(progress["state"]),
        step=progress["step"],
        stability=progress["stability"],
        difficulty=progress["difficulty"],
        due=progress["due"],
        last_review=progress["last_review"],
    )


def outcomes(
    card: Card,
    progress: Progress | None,
    now: datetime,
    user: User | None = None,
    load: Counter[date] | None = None,
) -> dict[str, CardDict]:
    """What each rating would do to the card, keyed by the rating's number ("1".."4"), for
    `user` (their parameters, retention, day and load balancing; the deck's defaults without).
    `load`: the learner's `due_load` if the caller read it already."""
    chosen = learner_settings(user)
    balance = None
    if settings.FSRS_FUZZ and user is not None and chosen.load_balancing:
        if load is None:
            load = due_load(user, now)
        balance = Balance(day=learner_day(user), load=load, easy_days=set(chosen.easy_days))
    scheduler = scheduler_for(card.deck, user, fuzz=balance is None and settings.FSRS_FUZZ)
    current = fsrs_card(card.pk, progress)
    return {
        str(int(rating)): review(scheduler, current, rating, now, balance).to_dict()
        for rating in RATINGS
    }


# --- Load balancing and easy days ------------------------------------------------------------


@dataclass
class Balance:
    """What load balancing needs: the learner's day, reviews due per learner date, easy
    weekdays (0 is Monday)."""

    day: LearnerDay
    load: Counter[date]
    easy_days: set[int] = field(default_factory=set)


def fuzz_range(interval_days: int, maximum_interval: int) -> tuple[int, int]:
    """The range of days fsrs' fuzz spreads an interval of `interval_days` over (fsrs' own
    formula; fsrs' rounding of its random draw also reaches one day past the end, rarely)."""
    delta = 1.0
    for fuzz in FUZZ_RANGES:
        delta += fuzz["factor"] * max(min(float(interval_days), fuzz["end"]) - fuzz["start"], 0.0)
    low = max(2, round(interval_days - delta))
    high = min(round(interval_days + delta), maximum_interval)
    return min(low, high), high


def balanced_days(
    interval_days: int, maximum_interval: int, now: datetime, balance: Balance
) -> int:
    """Within the fuzz range, the interval whose day has the fewest reviews due (a review on an
    easy day weighs EASY_DAY_WEIGHT); ties go to the interval nearest FSRS's own."""
    low, high = fuzz_range(interval_days, maximum_interval)

    def weight(days: int) -> tuple[float, int, int]:
        day = balance.day.date_of(now + timedelta(days=days))
        factor = EASY_DAY_WEIGHT if day.weekday() in balance.easy_days else 1
        return ((balance.load[day] + 1) * factor, abs(days - interval_days), days)

    return min(range(low, high + 1), key=weight)


def review(
    scheduler: Scheduler,
    card: FsrsCard,
    rating: Rating,
    now: datetime,
    balance: Balance | None = None,
) -> FsrsCard:
    """fsrs' review of `card`; with `balance`, a review interval of SHORTEST_BALANCED days or
    more is moved within its fuzz range to the lightest day instead of a random one (the
    scheduler must then not fuzz)."""
    after = scheduler.review_card(card, rating, now)[0]
    if balance is None or after.state != State.Review:
        return after
    days = (after.due - now).days
    if days < SHORTEST_BALANCED:
        return after
    chosen = balanced_days(days, scheduler.maximum_interval, now, balance)
    after.due = now + timedelta(days=chosen)
    return after


def due_progress(user: User, now: datetime) -> QuerySet[Progress, Any]:
    """The learner's studyable cards due from the start of their day on (what loads a day)."""
    return Progress.objects.filter(
        user=user,
        card__retired_at__isnull=True,
        card__status=Status.PUBLISHED,
        due__gte=learner_day(user).start(now),
    )


def due_load(user: User, now: datetime) -> Counter[date]:
    """Reviews due per learner date from today on, over the learner's studyable cards, card by
    card (a check reads them counted by the database with its presentation: `service.load_of`)."""
    day = learner_day(user)
    dues = due_progress(user, now).values_list("due", flat=True)
    return Counter(day.date_of(due) for due in dues)


def progress_fields(outcome: CardDict) -> dict[str, Any]:
    """The Progress fields for a stored outcome (an fsrs Card as a dict)."""
    return fields_of(FsrsCard.from_dict(outcome))


def fields_of(card: FsrsCard) -> dict[str, Any]:
    """The Progress fields (FSRS_FIELDS, in that order) of an fsrs Card."""
    return {
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due,
        "last_review": card.last_review,
    }


def snapshot(progress: Progress | None) -> CardDict | None:
    """The progress as it is, so that an undo can put it back (None: the card was new)."""
    if progress is None:
        return None
    return fsrs_card(progress.card_id, progress).to_dict()


def interval_label(now: datetime, due: datetime) -> str:
    """A short human interval like Anki's: "<1m", "10m", "3h", "4d", "2.5mo", "1.2y"."""
    seconds = max((due - now).total_seconds(), 0)
    if seconds < 60:
        return _("<1m")
    if seconds < 3600:
        return _("%(n)dm") % {"n": round(seconds / 60)}
    if seconds < 86400:
        return _("%(n)dh") % {"n": round(seconds / 3600)}
    days = seconds / 86400
    if days < 30:
        return _("%(n)dd") % {"n": round(days)}
    if days < 365:
        return _("%(n)smo") % {"n": _one_decimal(days / 30)}
    return _("%(n)sy") % {"n": _one_decimal(days / 365)}


def _one_decimal(value: float) -> str:
    """2.5 in the reader's number format ("2,5" in Russian), 2.0 as "2"."""
    return number_format(Decimal(f"{value:.1f}".rstrip("0").rstrip(".")))


def due_of(outcome: dict[str, Any]) -> datetime:
    return FsrsCard.from_dict(outcome).due
