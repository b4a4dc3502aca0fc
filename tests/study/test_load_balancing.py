"""Load balancing and easy days: within FSRS's fuzz range, a review goes to the lightest day."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from quiz.models import LearnerSettings, Presentation, Progress
from quiz.study import reads, scheduling, service
from tests.study.factories import make_deck

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
DAYS = 80
MONTH = range(35, 65)  # a month once the last new cards have left their learning steps
WEEKEND = {5, 6}


def simulate(
    balanced: bool, easy_days: frozenset[int] = frozenset(), fuzz: bool = True
) -> Counter[date]:
    """Reviews per day for 600 cards, 20 new a day for 30 days, answered by the same learner
    (Again 10 % of the time, else Good) under plain fuzz (or none) or load balancing."""
    random.seed(11)  # fsrs' fuzz draws from the random module
    answers = random.Random(5)
    scheduler = Scheduler(enable_fuzzing=fuzz and not balanced)
    utc = scheduling.LearnerDay()
    cards: list[FsrsCard] = []
    load: Counter[date] = Counter()
    done: Counter[date] = Counter()
    for index in range(DAYS):
        now = START + timedelta(days=index)
        today = now.date()
        if index < 30:
            cards.extend(FsrsCard(card_id=len(cards) + i + 1, due=now) for i in range(20))
        for i, card in enumerate(cards):
            if card.due.date() > today:
                continue
            while card.due.date() <= today:  # learning steps within the day
                moment = max(now, card.due)
                rating = Rating.Again if answers.random() < 0.1 else Rating.Good
                load[card.due.date()] -= 1
                balance = scheduling.Balance(utc, load, set(easy_days)) if balanced else None
                card = scheduling.review(scheduler, card, rating, moment, balance)
                load[card.due.date()] += 1
                if moment.date() == today:
                    done[today] += 1
            cards[i] = card
    return done


def month(done: Counter[date]) -> list[tuple[date, int]]:
    return [
        (START.date() + timedelta(days=i), done[START.date() + timedelta(days=i)]) for i in MONTH
    ]


def test_load_balancing_lowers_the_busiest_day_of_a_simulated_month():
    plain = month(simulate(balanced=False))
    unfuzzed = month(simulate(balanced=False, fuzz=False))
    balanced = month(simulate(balanced=True))
    assert sum(n for _, n in balanced) == pytest.approx(sum(n for _, n in plain), rel=0.1)
    assert max(n for _, n in balanced) < max(n for _, n in plain)
    assert max(n for _, n in balanced) < max(n for _, n in unfuzzed)
    spread = lambda days: max(n for _, n in days) - min(n for _, n in days)  # noqa: E731
    assert spread(balanced) < spread(plain)


def test_easy_days_are_lighter_than_the_other_days_and_than_without_them():
    with_easy = month(simulate(balanced=True, easy_days=frozenset(WEEKEND)))
    without = month(simulate(balanced=True))

    def weekend(days):
        return mean(n for day, n in days if day.weekday() in WEEKEND)

    def weekdays(days):
        return mean(n for day, n in days if day.weekday() not in WEEKEND)

    assert weekend(with_easy) < weekdays(with_easy)
    assert weekend(with_easy) < weekend(without)


def busy_days_but_one(tmp_path, settings) -> tuple[User, list, Progress, datetime, range]:
    """A learner whose reviewed card's fuzz range (the days returned) has two reviews due on
    every day but its first."""
    settings.FSRS_FUZZ = True
    deck = make_deck(tmp_path, 30)
    cards = list(deck.cards.order_by("position"))
    learner = User.objects.create_user("ada")
    LearnerSettings.objects.create(user=learner, time_zone="UTC", day_starts_at=0)
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    reviewed = Progress.objects.create(
        user=learner, card=cards[0], state=2, step=None, stability=30.0, difficulty=5.0,
        due=now, last_review=now - timedelta(days=30),
    )  # fmt: skip
    plain = Scheduler(enable_fuzzing=False)
    ideal = plain.review_card(scheduling.fsrs_card(cards[0].pk, reviewed), Rating.Good, now)[0]
    days = (ideal.due - now).days
    low, high = scheduling.fuzz_range(days, plain.maximum_interval)
    assert high - low >= 2
    free = low  # every other day of the range gets two reviews due
    others = iter(cards[1:])
    for offset in range(low, high + 1):
        if offset != free:
            for _ in range(2):
                Progress.objects.create(
                    user=learner, card=next(others), state=2, stability=10.0, difficulty=5.0,
                    due=now + timedelta(days=offset, hours=1), last_review=now,
                )  # fmt: skip

    return learner, cards, reviewed, now, range(low, high + 1)


@pytest.mark.django_db
def test_the_intervals_on_the_buttons_avoid_a_busy_day(tmp_path, settings):
    learner, cards, reviewed, now, fuzzed = busy_days_but_one(tmp_path, settings)
    free, low, high = fuzzed[0], fuzzed[0], fuzzed[-1]

    outcome = scheduling.outcomes(cards[0], reviewed, now, learner)[str(int(Rating.Good))]

    assert scheduling.due_of(outcome) == now + timedelta(days=free)

    LearnerSettings.objects.filter(user=learner).update(load_balancing=False)
    learner = User.objects.get(pk=learner.pk)
    random_days = {
        (scheduling.due_of(scheduling.outcomes(cards[0], reviewed, now, learner)["3"]) - now).days
        for _ in range(40)
    }
    # fsrs rounds random() * (high - low + 1) + low, so its own fuzz reaches a day past `high`.
    assert random_days <= set(range(low, high + 2)) and len(random_days) > 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "starts_at", "now"),
    [
        ("Asia/Vladivostok", 4, datetime(2026, 3, 2, 1, 30, tzinfo=UTC)),  # 11:30 there
        ("Asia/Kathmandu", 4, datetime(2026, 3, 2, 1, 30, tzinfo=UTC)),  # UTC+5:45
        ("America/St_Johns", 0, datetime(2026, 3, 4, 12, tzinfo=UTC)),  # UTC-3:30, then summer time
        ("Europe/Berlin", 4, datetime(2026, 3, 26, 12, tzinfo=UTC)),  # summer time on the 29th
    ],
)
def test_the_load_read_with_a_checked_card_is_the_load_on_the_learners_own_days(
    tmp_path, zone, starts_at, now
):
    """A check reads the learner's due dates with the presentation (one query fewer), counted
    by the database: per day of the learner's (their zone, their day start), over every deck,
    they are the load counted card by card, up to a minute either side of each day's start."""
    deck = make_deck(tmp_path, 35)
    other = make_deck(tmp_path, 10, deck="other")
    learner = User.objects.create_user("ada")
    LearnerSettings.objects.create(user=learner, time_zone=zone, day_starts_at=starts_at)
    local = now.astimezone(ZoneInfo(zone))
    starts = [
        datetime.combine(local.date() + timedelta(days=n), time(starts_at), tzinfo=local.tzinfo)
        for n in range(10)
    ]
    # Every few hours over a week, a few already due today; around each of the next days' start.
    dues = [now + timedelta(hours=-6 + 13 * n) for n in range(15)]
    dues += [start + timedelta(minutes=m) for start in starts for m in (-1, 0, 14)]
    cards = [*deck.cards.order_by("position"), *other.cards.all()]
    for card, due in zip(cards, dues, strict=True):
        Progress.objects.create(
            user=learner, card=card, state=2, stability=5.0, difficulty=5.0,
            due=due, last_review=now - timedelta(days=3),
        )  # fmt: skip
    shown = Presentation.objects.create(user=learner, card=cards[0], shown_at=now, outcomes={})

    with time_machine.travel(now, tick=False):
        read = reads.presentation(shown.token, learner, schedule=True)
    load = service.load_of(learner, now, read.due_dates)

    assert load == scheduling.due_load(learner, now)
    day = scheduling.learner_day(learner)
    expected = Counter(day.date_of(due) for due in dues if due >= day.start(now))
    assert load == expected and sum(load.values()) > len(load) > 3


@pytest.mark.django_db
def test_a_checked_answer_is_balanced_by_the_load_read_with_it(tmp_path, settings):
    """A check computes the buttons' intervals again from the answer: with the due dates read
    in the same query as the presentation, Good still goes to the one free day."""
    learner, cards, reviewed, now, fuzzed = busy_days_but_one(tmp_path, settings)
    free = fuzzed[0]
    shown = Presentation.objects.create(
        user=learner, card=cards[0], shown_at=now - timedelta(seconds=5), outcomes={}
    )
    read = reads.presentation(shown.token, learner, schedule=True, shown=True)

    service.mark_checked(read, now)

    assert scheduling.due_of(read.outcomes[str(int(Rating.Good))]) == now + timedelta(days=free)
