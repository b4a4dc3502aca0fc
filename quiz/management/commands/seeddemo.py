"""Fill the database with synthetic learners whose answers follow FSRS's own forgetting curve."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from quiz.models import Card, CheckDay, Deck, Progress, Review, ReviewDay, Run
from quiz.study.scheduling import FSRS_FIELDS, fields_of, fsrs_card
from quiz.study.service import MAX_ANSWER_MS
from runner.messages import message

BATCH = 5000
PASSWORD = "demo-learner"
# A learner waits this long in a session for a learning step to come due (1 and 10 minutes).
LEARNING_WAIT = timedelta(minutes=20)
REVIEW_COLUMNS = [
    "user", "card", "rating", "reviewed_at", "duration_ms", "state_before", "previous"
]  # fmt: skip
RUN_COLUMNS = [
    "run_id", "user", "card", "code", "kind", "status", "verdict", "passed", "practice", "error",
    "task_id", "created_at", "started_at", "finished_at",
]  # fmt: skip
PROGRESS_COLUMNS = ["user", "card", *FSRS_FIELDS]


@dataclass
class Learner:
    """How one synthetic learner behaves; drawn once from their own seeded generator."""

    joins: int  # day index of the first session
    leaves: int  # day index after the last possible session
    diligence: float  # chance of a session on any day
    hour: int  # usual session hour
    memory: float  # exponent on FSRS's retrievability: <1 remembers better than the model
    first_recall: float  # chance a brand-new card is answered right the first time
    hard: float
    easy: float
    speed: float  # median seconds per answer


def draw_learner(rng: random.Random, days: int) -> Learner:
    joins = rng.randrange(0, max(1, int(days * 0.7)))
    stays = days if rng.random() < 0.7 else rng.randint(7, max(8, days))
    return Learner(
        joins=joins,
        leaves=min(days, joins + stays),
        diligence=rng.uniform(0.35, 0.95),
        hour=rng.choice([7, 8, 12, 13, 18, 19, 20, 21, 22]),
        memory=rng.uniform(0.6, 1.6),
        first_recall=rng.uniform(0.55, 0.85),
        hard=rng.uniform(0.05, 0.25),
        easy=rng.uniform(0.02, 0.2),
        speed=rng.uniform(4, 20),
    )


class Simulation:
    """One learner's history, a day at a time: reviews, runs and the final progress rows."""

    def __init__(
        self,
        user_id: int,
        learner: Learner,
        rng: random.Random,
        cards: list[dict[str, Any]],
        decks: dict[int, Deck],
    ) -> None:
        self.user_id, self.learner, self.rng, self.decks = user_id, learner, rng, decks
        self.schedulers = {
            pk: Scheduler(desired_retention=deck.desired_retention, enable_fuzzing=False)
            for pk, deck in decks.items()
        }
        self.by_deck = {pk: [c for c in cards if c["deck_id"] == pk] for pk in decks}
        self.state: dict[int, FsrsCard] = {}
        self.reviews: list[tuple[Any, ...]] = []
        self.runs: list[tuple[Any, ...]] = []

    def study_day(self, day: date, index: int) -> None:
        """Day `index` of the period: a session in every deck, if the learner studies today."""
        learner = self.learner
        if not learner.joins <= index < learner.leaves or self.rng.random() >= learner.diligence:
            return
        local = timezone.make_aware(
            datetime.combine(day, datetime.min.time())
            + timedelta(hours=learner.hour, minutes=self.rng.randrange(60))
        )
        # fsrs accepts UTC datetimes only.
        start = local.astimezone(UTC)
        for deck in self.decks.values():
            self.session(learner, deck, start)

    def session(self, learner: Learner, deck: Deck, now: datetime) -> None:
        """Due cards first, then new ones, then learning steps that come due within minutes."""
        mine = self.by_deck[deck.pk]
        new = [c for c in mine if c["id"] not in self.state][: deck.new_per_day]
        reviews_left = deck.reviews_per_day
        while True:
            seen = [c for c in mine if c["id"] in self.state]
            first = min(seen, key=lambda c: self.state[c["id"]].due) if seen else None
            first_due = self.state[first["id"]].due if first else None
            if first and first_due <= now and reviews_left:
                card = first
                reviews_left -= 1
            elif new:
                card = new.pop(0)
            elif first and reviews_left and first_due <= now + LEARNING_WAIT:
                now = first_due
                continue
            else:
                return
            now = self.answer(learner, deck, card, now)

    def answer(self, learner: Learner, deck: Deck, card: dict[str, Any], now: datetime) -> datetime:
        scheduler = self.schedulers[deck.pk]
        before = self.state.get(card["id"])
        if before is None or before.stability is None:
            recall = learner.first_recall
        else:
            recall = scheduler.get_card_retrievability(before, now) ** learner.memory
        recalled = self.rng.random() < recall
        rating = Rating.Again
        if recalled:
            draw = self.rng.random()
            rating = (
                Rating.Hard
                if draw < learner.hard
                else Rating.Easy
                if draw < learner.hard + learner.easy
                else Rating.Good
            )
        seconds = min(600.0, self.rng.lognormvariate(0, 0.6) * learner.speed)
        if card["checks"]:
            seconds += self.code_attempts(card, recalled, now)
        reviewed_at = now + timedelta(seconds=seconds)
        current = before or fsrs_card(card["id"], None)
        after, _ = scheduler.review_card(current, rating, reviewed_at)
        self.state[card["id"]] = after
        self.reviews.append(
            (
                self.user_id,
                card["id"],
                int(rating),
                reviewed_at,
                # Counted as the app counts it: at most a minute (study.service.MAX_ANSWER_MS).
                min(int(seconds * 1000), MAX_ANSWER_MS),
                int(before.state) if before else None,
                before.to_dict() if before else None,
            )
        )
        return reviewed_at

    def code_attempts(self, card: dict[str, Any], recalled: bool, now: datetime) -> float:
        """Checks of a code card: a failed first one decides Again; learners often retry."""
        names = card["checks"]
        attempts = 1 if recalled else self.rng.choice([1, 2, 2, 3])
        spent = 0.0
        for attempt in range(attempts):
            passed = recalled or (attempt == attempts - 1 and self.rng.random() < 0.6)
            # Learners trip over the first checks of a card more than the last ones.
            failing = (
                set() if passed else {names[min(int(self.rng.expovariate(1.2)), len(names) - 1)]}
            )
            spent += self.rng.uniform(20, 120)
            created = now + timedelta(seconds=spent)
            verdict = {
                "status": "ok",
                "passed": passed,
                # As large and as varied as a real verdict, so benchmarks read what they would.
                **self.observations(),
                "checks": [
                    {
                        "name": name,
                        "passed": name not in failing,
                        # Coded as the runner codes a check's message (runner/messages.py).
                        "message": message("check_events_ok")
                        if name not in failing
                        else message("check_events_missing", kinds=name),
                    }
                    for name in names
                ],
            }
            finished = created + timedelta(milliseconds=30)
            self.runs.append(
                (
                    uuid.UUID(int=self.rng.getrandbits(128), version=4),
                    self.user_id,
                    card["id"],
                    "# seeddemo\n",
                    Run.Kind.CHECK.value,
                    Run.Status.DONE.value,
                    verdict,
                    passed,
                    # The first check decides; the learner's retries are practice.
                    attempt > 0,
                    "",
                    "",
                    created,
                    created,
                    finished,
                )
            )
        return spent

    def observations(self) -> dict[str, Any]:
        """Output, timings and task spans of a made-up run of two or three tasks."""
        seconds = round(self.rng.uniform(0.5, 6), 3)
        tasks = [
            {
                "name": f"Task-{n}",
                "created": 0.0,
                "started": round(0.001 * n, 6),
                "finished": round(self.rng.uniform(0.1, seconds), 6),
                "blocked": [],
            }
            for n in range(1, self.rng.randint(2, 4))
        ]
        return {
            "stdout": "".join(f"step {n} done after {self.rng.random():.6f}\n" for n in range(8)),
            "stderr": "",
            "exit_code": 0,
            "virtual_seconds": seconds,
            "wall_seconds": round(self.rng.uniform(0.004, 0.02), 6),
            "events": [],
            "tasks": tasks,
            "sandbox": "seeddemo",
        }

    def progress_rows(self) -> list[tuple[Any, ...]]:
        return [
            (self.user_id, card_id, *fields_of(card).values())
            for card_id, card in self.state.items()
        ]


class Command(BaseCommand):
    help = (
        "Create N synthetic learners with D days of reviews (and code-card runs) each, drawn "
        "deterministically from FSRS's retrievability. Replaces learners made by an earlier run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--learners", type=int, default=50)
        parser.add_argument("--days", type=int, default=120)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--prefix", default="learner-", help="Usernames: PREFIX0001, ...")
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=None,
            help="Last simulated day (YYYY-MM-DD); yesterday by default.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        learners, days, prefix = options["learners"], options["days"], options["prefix"]
        if learners < 1 or days < 1:
            raise CommandError("--learners and --days must be at least 1.")
        decks = {deck.pk: deck for deck in Deck.objects.studyable()}
        cards = [
            {"id": card.pk, "deck_id": card.deck_id, "checks": checks_of(card)}
            for card in Card.objects.studyable()
            .filter(deck__in=decks)
            .prefetch_related("texts")
            .order_by("deck", "position")
        ]
        if not cards:
            raise CommandError("No published cards: run `manage.py loaddecks` first.")
        until = options["until"] or timezone.localdate() - timedelta(days=1)
        first_day = until - timedelta(days=days - 1)
        User = get_user_model()
        with transaction.atomic():
            old = User.objects.filter(username__startswith=prefix)
            # Delete the big tables with one statement each before the users' cascade.
            for model in (Review, Run, Progress):
                model.objects.filter(user__in=old)._raw_delete(model.objects.db)
            old.delete()
            password = make_password(PASSWORD, salt="seeddemo")
            users = User.objects.bulk_create(
                User(
                    username=f"{prefix}{i:04d}",
                    password=password,
                    date_joined=timezone.make_aware(
                        datetime.combine(first_day, datetime.min.time())
                    ),
                )
                for i in range(1, learners + 1)
            )
        simulations = []
        for i, user in enumerate(sorted(users, key=lambda u: u.username), start=1):
            rng = random.Random(f"{options['seed']}:{i}")
            simulations.append(Simulation(user.pk, draw_learner(rng, days), rng, cards, decks))
        # Day by day across learners, so the log is written in time order as a real one is.
        reviews = runs = 0
        pending: dict[str, list[Any]] = {"reviews": [], "runs": [], "progress": []}
        for index in range(days):
            day = first_day + timedelta(days=index)
            for simulation in simulations:
                simulation.study_day(day, index)
                pending["reviews"] += simulation.reviews
                pending["runs"] += simulation.runs
                simulation.reviews, simulation.runs = [], []
            if len(pending["reviews"]) >= 10 * BATCH or index == days - 1:
                reviews += len(pending["reviews"])
                runs += len(pending["runs"])
                flush(pending)
                self.stdout.write(f"  {day}: {reviews} reviews, {runs} runs")
        for simulation in simulations:
            pending["progress"] += simulation.progress_rows()
        flush(pending)
        # Runs and reviews went in by COPY and the old ones out by raw DELETE, around CheckDay.add
        # and ReviewDay's signals.
        CheckDay.rebuild()
        ReviewDay.rebuild()
        self.stdout.write(
            f"Created {learners} learners ({prefix}0001…, password {PASSWORD!r}) with {reviews} "
            f"reviews and {runs} runs over {days} days up to {until}."
        )


def checks_of(card: Card) -> list[str]:
    if not card.kind_spec.checked:
        return []
    return list((card.text("en").content.get("checks") or {}).keys())


def flush(pending: dict[str, list[Any]]) -> None:
    """Insert the rows with one executemany per table: model instances cost more than the
    simulation itself at a million reviews."""
    with transaction.atomic():
        insert(Review, REVIEW_COLUMNS, sorted(pending["reviews"], key=lambda row: row[3]))
        insert(Run, RUN_COLUMNS, sorted(pending["runs"], key=lambda row: row[11]))
        insert(Progress, PROGRESS_COLUMNS, pending["progress"])
    for rows in pending.values():
        rows.clear()


def insert(model: Any, names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows straight into the table; PostgreSQL takes them by COPY, ten times faster."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    prepared = (
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, row, strict=True)
        ]
        for row in rows
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in prepared:
                    copy.write_row(values)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared)
