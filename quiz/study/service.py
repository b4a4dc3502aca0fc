"""Studying: which card comes next, answering it, and undoing the last answer."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BooleanField,
    DateTimeField,
    F,
    FloatField,
    IntegerField,
    JSONField,
    Model,
    QuerySet,
    TextField,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quiz.models import (
    Card,
    CardMark,
    CardText,
    Deck,
    ExtraNewCards,
    PersonalRetention,
    Presentation,
    Progress,
    Review,
    Status,
    rows,
)
from quiz.study import scheduling
from quiz.study.grading import Grade

PRESENTATION_REUSE = timedelta(hours=1)
# Like Anki's "maximum answer seconds": a card left open longer counts this long in statistics.
MAX_ANSWER_MS = 60_000


class AnswerRefused(Exception):
    """The answer cannot be taken (already answered, not due, not allowed); nothing changed."""

    def __init__(self, message: Any, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class DeckStatus:
    deck: Deck
    due: int
    new_today: int
    new_left: int
    reviews_today: int
    next_due: datetime | None
    learning_due: int = 0
    extra_new: int = 0
    suspended: int = 0

    @property
    def new_limit(self) -> int:
        """Today's new-card limit: the deck's, raised by "study more today"."""
        return self.deck.new_per_day + self.extra_new

    @property
    def new_available(self) -> int:
        """New cards the learner may still start today."""
        return max(0, min(self.new_left, self.new_limit - self.new_today))

    @property
    def due_available(self) -> int:
        return max(0, min(self.due, self.deck.reviews_per_day - self.reviews_today))

    @property
    def learning_available(self) -> int:
        """Of the due cards shown today, those in (re)learning (Anki's red count)."""
        return min(self.learning_due, self.due_available)

    @property
    def review_available(self) -> int:
        """Of the due cards shown today, those in review (Anki's green count)."""
        return self.due_available - self.learning_available

    @property
    def remaining(self) -> int:
        return self.due_available + self.new_available

    @property
    def answered_today(self) -> int:
        return self.new_today + self.reviews_today

    @property
    def percent_done(self) -> int:
        total = self.answered_today + self.remaining
        return round(100 * self.answered_today / total) if total else 100


def start_of_day(user: AbstractBaseUser, now: datetime) -> datetime:
    """When the learner's day began: their time zone, their "next day starts at" hour."""
    return scheduling.day_start(user, now)


def deck_statuses(
    user: AbstractBaseUser,
    decks: list[Deck],
    now: datetime | None = None,
) -> list[DeckStatus]:
    """Per deck: due now, new today, next due; one query for any number of decks and data."""
    now = now or timezone.now()
    if not decks:
        return []
    # Written out rather than through `values()`: compiling the subqueries into one statement
    # cost more CPU than the statement itself (see `status_annotations`).
    annotations = status_annotations(user, now)
    table = rows.table(Deck)
    marks = ", ".join(["%s"] * len(decks))
    selected = ", ".join(f"({annotation.sql})" for annotation in annotations.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {table}.id, {selected} FROM {table} WHERE {table}.id IN ({marks})",
            [
                *(param for annotation in annotations.values() for param in annotation.params),
                *(deck.pk for deck in decks),
            ],
        )
        found = cursor.fetchall()
    applied = rows.converters(list(annotations.values()))
    by_deck = {
        row[0]: dict(zip(annotations, rows.convert(row[1:], applied), strict=True)) for row in found
    }
    return [status_from(deck, by_deck[deck.pk]) for deck in decks]


def with_status(decks: QuerySet[Deck, Any], user: AbstractBaseUser, now: datetime) -> QuerySet:
    """`decks` with what each one's status needs, read in the same query (see `status_of`)."""
    return decks.annotate(**status_annotations(user, now))


def status_of(deck: Deck) -> DeckStatus:
    """The status of a deck read through `with_status`."""
    return status_from(deck, {name: getattr(deck, name, None) for name in STATUS_FIELDS})


STATUS_FIELDS = [
    "status_seen",
    "status_due",
    "status_learning",
    "status_next_due",
    "status_cards",
    "status_extra",
    "status_new_today",
    "status_old_today",
    "status_suspended",
]


def status_from(deck: Deck, row: dict[str, Any]) -> DeckStatus:
    return DeckStatus(
        deck=deck,
        due=row["status_due"],
        new_today=row["status_new_today"],
        new_left=row["status_cards"] - row["status_seen"],
        reviews_today=row["status_old_today"],
        next_due=row["status_next_due"],
        learning_due=row["status_learning"],
        extra_new=row["status_extra"],
        suspended=row["status_suspended"],
    )


def status_annotations(user: AbstractBaseUser, now: datetime) -> dict[str, Any]:
    """Subqueries per deck (the outer row) for its `DeckStatus`, named as in STATUS_FIELDS.

    Written in SQL (the same for SQLite and PostgreSQL): every study request reads them, and
    building them through the ORM cost ten times the database's own work (about 10 ms of CPU).
    Progress, due and next due count the studyable cards the learner has not hidden (buried
    until later, or suspended); "today" is the learner's day.
    """
    q = connection.ops.quote_name
    deck, card, progress, review, mark, extra = (
        q(model._meta.db_table) for model in (Deck, Card, Progress, Review, CardMark, ExtraNewCards)
    )
    at = connection.ops.adapt_datetimefield_value
    learner_day = scheduling.learner_day(user)
    day_start, today = (
        at(learner_day.start(now)),
        connection.ops.adapt_datefield_value(learner_day.today(now)),
    )
    now_ = at(now)
    hidden = (
        f"SELECT m.card_id FROM {mark} m "
        f"WHERE m.user_id = %s AND (m.suspended = %s OR m.buried_until > %s)"
    )
    hidden_params = [user.pk, True, now_]
    studied = (
        f"FROM {progress} p JOIN {card} c ON c.id = p.card_id WHERE p.user_id = %s "
        f"AND c.deck_id = {deck}.id AND c.retired_at IS NULL AND c.status = %s "
        f"AND p.card_id NOT IN ({hidden})"
    )
    studied_params = [user.pk, Status.PUBLISHED.value, *hidden_params]
    reviewed = (
        f"FROM {review} r JOIN {card} c ON c.id = r.card_id WHERE r.user_id = %s "
        f"AND c.deck_id = {deck}.id AND r.reviewed_at >= %s"
    )
    learning = [Progress.State.LEARNING.value, Progress.State.RELEARNING.value]
    number, moment = IntegerField(), DateTimeField()
    return {
        "status_seen": RawSQL(f"SELECT COUNT(*) {studied}", studied_params, number),
        "status_due": RawSQL(
            f"SELECT COUNT(*) {studied} AND p.due <= %s", [*studied_params, now_], number
        ),
        "status_learning": RawSQL(
            f"SELECT COUNT(*) {studied} AND p.due <= %s AND p.state IN (%s, %s)",
            [*studied_params, now_, *learning],
            number,
        ),
        "status_next_due": RawSQL(f"SELECT MIN(p.due) {studied}", studied_params, moment),
        "status_cards": RawSQL(
            f"SELECT COUNT(*) FROM {card} c WHERE c.deck_id = {deck}.id "
            f"AND c.retired_at IS NULL AND c.status = %s AND c.id NOT IN ({hidden})",
            [Status.PUBLISHED.value, *hidden_params],
            number,
        ),
        "status_extra": RawSQL(
            f"SELECT COALESCE(MAX(e.cards), 0) FROM {extra} e "
            f"WHERE e.user_id = %s AND e.deck_id = {deck}.id AND e.day = %s",
            [user.pk, today],
            number,
        ),
        "status_new_today": RawSQL(
            f"SELECT COUNT(*) {reviewed} AND r.state_before IS NULL", [user.pk, day_start], number
        ),
        "status_old_today": RawSQL(
            f"SELECT COUNT(*) {reviewed} AND r.state_before IS NOT NULL",
            [user.pk, day_start],
            number,
        ),
        "status_suspended": RawSQL(
            f"SELECT COUNT(*) FROM {mark} m JOIN {card} c ON c.id = m.card_id "
            f"WHERE m.user_id = %s AND c.deck_id = {deck}.id AND m.suspended = %s",
            [user.pk, True],
            number,
        ),
    }


def retention_of(user: AbstractBaseUser, deck: str) -> RawSQL:
    """The retention the learner studies a deck at (their own for it, else the deck's); `deck`
    is the SQL naming the outer row's deck table or alias."""
    own = rows.table(PersonalRetention)
    return RawSQL(
        f"SELECT COALESCE((SELECT o.desired_retention FROM {own} o WHERE o.user_id = %s "
        f"AND o.deck_id = {deck}.id LIMIT 1), {deck}.desired_retention)",
        [user.pk],
        FloatField(),
    )


# Due dates are counted per quarter of an hour (UTC) in the database: every time zone's day
# starts on one, so each quarter lies within one day of the learner's, and a learner's load
# costs what their number of such quarters costs, not their number of cards.
QUARTER = 15 * 60


def due_dates_of(user: AbstractBaseUser, now: datetime) -> RawSQL:
    """The learner's due dates from the start of their day on, every studyable card's in any
    deck (what loads the learner's coming days), counted per quarter of an hour, as JSON (see
    `load_of`): {"quarter since the epoch": cards}."""
    q = connection.ops.quote_name
    progress, card = q(Progress._meta.db_table), q(Card._meta.db_table)
    if connection.vendor == "postgresql":
        quarter = f"FLOOR(EXTRACT(EPOCH FROM p.due) / {QUARTER})::bigint"
        counts = "JSON_OBJECT_AGG(s.quarter, s.cards)::text"
    else:  # SQLite keeps UTC text ("%%" is "%" once the placeholders are filled in)
        quarter = f"CAST(STRFTIME('%%s', p.due) AS INTEGER) / {QUARTER}"
        counts = "JSON_GROUP_OBJECT(CAST(s.quarter AS TEXT), s.cards)"
    day_start = connection.ops.adapt_datetimefield_value(scheduling.day_start(user, now))
    return RawSQL(
        f"SELECT COALESCE({counts}, '{{}}') FROM (SELECT {quarter} AS quarter, COUNT(*) AS cards "
        f"FROM {progress} p JOIN {card} c ON c.id = p.card_id WHERE p.user_id = %s "
        f"AND c.retired_at IS NULL AND c.status = %s AND p.due >= %s GROUP BY 1) s",
        [user.pk, Status.PUBLISHED.value, day_start],
        TextField(),
    )


def load_of(user: AbstractBaseUser, now: datetime, due_dates: str) -> Counter[date]:
    """The learner's reviews due per day (for load balancing), from `due_dates_of`'s JSON."""
    day = scheduling.learner_day(user)
    load: Counter[date] = Counter()
    for quarter, cards in json.loads(due_dates).items():
        load[day.date_of(datetime.fromtimestamp(int(quarter) * QUARTER, UTC))] += cards
    return load


def bury(user: AbstractBaseUser, card: Card, now: datetime) -> None:
    """Hide the card until the learner's next day starts."""
    tomorrow = scheduling.learner_day(user).end(now)
    CardMark.objects.update_or_create(user=user, card=card, defaults={"buried_until": tomorrow})


def suspend(user: AbstractBaseUser, card: Card) -> None:
    """Hide the card until the learner unsuspends it."""
    CardMark.objects.update_or_create(user=user, card=card, defaults={"suspended": True})


def unsuspend_all(user: AbstractBaseUser, deck: Deck) -> int:
    return CardMark.objects.filter(user=user, card__deck=deck, suspended=True).update(
        suspended=False
    )


def toggle_flag(user: AbstractBaseUser, card: Card) -> bool:
    """Flag the card for the learner, or take the flag off; returns whether it is flagged."""
    mark, _ = CardMark.objects.get_or_create(user=user, card=card)
    mark.flagged = not mark.flagged
    mark.save(update_fields=["flagged"])
    return mark.flagged


def study_more(user: AbstractBaseUser, deck: Deck, now: datetime) -> int:
    """Raise today's new-card limit of `deck` by one more day's worth; returns the extra."""
    extra, _ = ExtraNewCards.objects.get_or_create(
        user=user, deck=deck, day=scheduling.learner_day(user).today(now)
    )
    ExtraNewCards.objects.filter(pk=extra.pk).update(cards=F("cards") + deck.new_per_day)
    extra.refresh_from_db()
    return extra.cards


def next_card(
    user: AbstractBaseUser, deck: Deck, status: DeckStatus, now: datetime
) -> tuple[Card, Progress | None] | None:
    """Due cards first (most overdue first), then new cards in deck order, within the limits.

    The card comes in the same query with what showing it needs (`shown_annotations`). Both
    queries are written out in SQL, like the conditions they carry (see `unseen_condition`)."""
    cards, progress = rows.columns(Card, "c"), rows.columns(Progress, "p")
    shown = shown_annotations(user, now, "c.id")
    extra = ", ".join(f"({annotation.sql})" for annotation in shown.values())
    extra_params = [param for annotation in shown.values() for param in annotation.params]
    studyable = "c.deck_id = %s AND c.retired_at IS NULL AND c.status = %s"
    studyable_params = [deck.pk, Status.PUBLISHED.value]
    if status.due_available:
        unseen = unseen_condition(user, now, "c.id", started=True)
        row = _first(
            f"SELECT {progress.sql}, {cards.sql}, {extra} FROM {rows.table(Progress)} p "
            f"JOIN {rows.table(Card)} c ON c.id = p.card_id WHERE p.user_id = %s "
            f"AND {studyable} AND p.due <= %s AND {unseen.sql} ORDER BY p.due, c.position",
            [
                *extra_params,
                user.pk,
                *studyable_params,
                connection.ops.adapt_datetimefield_value(now),
                *unseen.params,
            ],
        )
        if row is not None:
            started = progress.load(row)
            started.card = _shown_card(deck, row, progress.width, shown)
            return started.card, started
    if status.new_available:
        unseen = unseen_condition(user, now, "c.id")
        row = _first(
            f"SELECT {cards.sql}, {extra} FROM {rows.table(Card)} c "
            f"WHERE {studyable} AND {unseen.sql} ORDER BY c.position",
            [*extra_params, *studyable_params, *unseen.params],
        )
        if row is not None:
            return _shown_card(deck, row, 0, shown), None
    return None


def _first(query: str, params: list[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(f"{query} LIMIT 1", params)
        return cursor.fetchone()


def _shown_card(deck: Deck, row: tuple[Any, ...], start: int, shown: dict[str, RawSQL]) -> Card:
    """The card in `row` from `start`, followed by `shown`'s columns: with what showing it needs."""
    cards = rows.columns(Card, "c")
    card = cards.load(row, start)
    extra = rows.convert(row[start + cards.width :], rows.converters(list(shown.values())))
    for name, value in zip(shown, extra, strict=True):
        setattr(card, name, value)
    card.deck = deck
    attach_text(card, card)
    return card


SHOWN_FIELDS = ["flagged", "open_presentation", "open_shown_at"]


def unseen_condition(
    user: AbstractBaseUser, now: datetime, card: str, started: bool = False
) -> RawSQL:
    """The outer row's card (`card`: the SQL of its id) is not hidden from the learner (buried
    until a time still ahead, or suspended) and, unless `started`, not started by them: SQL for
    the same reason as `status_annotations` (built through the ORM, these exclusions cost more
    CPU than the rest of the query)."""
    q = connection.ops.quote_name
    marks, progress = q(CardMark._meta.db_table), q(Progress._meta.db_table)
    sql = (
        f"{card} NOT IN (SELECT m.card_id FROM {marks} m WHERE m.user_id = %s "
        "AND (m.suspended = %s OR m.buried_until > %s))"
    )
    params: list[Any] = [user.pk, True, connection.ops.adapt_datetimefield_value(now)]
    if not started:
        sql += f" AND {card} NOT IN (SELECT p.card_id FROM {progress} p WHERE p.user_id = %s)"
        params.append(user.pk)
    return RawSQL(sql, params, BooleanField())


def column(model: type[Model], name: str) -> str:
    """The SQL naming a column of the outer row, for the subqueries below."""
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(name)}"


def text_annotations(card: str) -> dict[str, RawSQL]:
    """The text of the outer row's card (`card`: the SQL of its id) as `Card.text()` picks it
    (the current language, else English, else its first), read in the row's own query:
    `text_id`, `text_language`, `text_content` (see `attach_text`).

    This and `shown_annotations` are SQL because every study request reads them: built through
    the ORM they cost several milliseconds of CPU, the database's work a fraction of one."""
    language = (get_language() or "en").split("-")[0]
    texts = connection.ops.quote_name(CardText._meta.db_table)
    first = (
        f"FROM {texts} t WHERE t.card_id = {card} ORDER BY "
        "CASE WHEN t.language = %s THEN 0 WHEN t.language = %s THEN 1 ELSE 2 END, t.id LIMIT 1"
    )
    params = [language, "en"]
    return {
        "text_id": RawSQL(f"SELECT t.id {first}", params, IntegerField()),
        "text_language": RawSQL(f"SELECT t.language {first}", params, TextField()),
        "text_content": RawSQL(f"SELECT t.content {first}", params, JSONField()),
    }


def flag_annotation(user: AbstractBaseUser, card: str) -> RawSQL:
    """Whether the learner flagged the outer row's card."""
    marks = connection.ops.quote_name(CardMark._meta.db_table)
    return RawSQL(
        f"EXISTS (SELECT 1 FROM {marks} m WHERE m.user_id = %s AND m.card_id = {card} "
        "AND m.flagged = %s)",
        [user.pk, True],
        BooleanField(),
    )


def shown_annotations(user: AbstractBaseUser, now: datetime, card: str) -> dict[str, RawSQL]:
    """What showing the outer row's card needs: its text (`text_annotations`), whether it is
    flagged, and the presentation `present` shows again (`open_presentation`, `open_shown_at`):
    the learner's latest one answered (checked) but not rated, else their latest shown within
    PRESENTATION_REUSE and not answered at all."""
    shown = connection.ops.quote_name(Presentation._meta.db_table)
    recent = connection.ops.adapt_datetimefield_value(now - PRESENTATION_REUSE)
    first = (
        f"FROM {shown} o WHERE o.user_id = %s AND o.card_id = {card} "
        "AND o.answered_at IS NULL AND (o.checked_at IS NOT NULL OR o.shown_at >= %s) "
        "ORDER BY o.checked_at IS NULL, o.checked_at DESC, o.shown_at DESC LIMIT 1"
    )
    params = [user.pk, recent]
    return {
        "flagged": flag_annotation(user, card),
        "open_presentation": RawSQL(f"SELECT o.id {first}", params, IntegerField()),
        "open_shown_at": RawSQL(f"SELECT o.shown_at {first}", params, DateTimeField()),
        **text_annotations(card),
    }


def attach_text(card: Card, read: Any) -> None:
    """Give `card` the text read through `text_annotations` (on `read`), as if its texts had
    been prefetched: `card.text()` then needs no query."""
    text = CardText(
        pk=read.text_id, card=card, language=read.text_language, content=read.text_content
    )
    texts = card.texts.get_queryset()
    texts._result_cache, texts._prefetch_done = [text], True
    card._prefetched_objects_cache = {"texts": texts}


def present(
    user: AbstractBaseUser, card: Card, progress: Progress | None, now: datetime
) -> Presentation:
    """Show `card`: reuse the open presentation of it, or record a new one.

    A presentation already answered (checked) but not rated is always shown again as it was:
    a reload, a return or an undo shows the recorded result, never a fresh question.
    A card from `next_card` says which presentation of it is open; another one is looked up.
    What each rating would do is not computed here: the rating buttons appear with the answer,
    and `mark_checked` computes the outcomes then, from that moment.
    """
    if not hasattr(card, "open_presentation"):  # not read by `next_card`: ask here
        shown = shown_annotations(user, now, column(Card, "id"))
        fields = {name: shown[name] for name in SHOWN_FIELDS}
        for name, value in Card.objects.filter(pk=card.pk).values(**fields).get().items():
            setattr(card, name, value)
    open_id, shown_at = card.open_presentation, card.open_shown_at
    if open_id and (progress is None or shown_at >= (progress.last_review or now)):
        presentation = Presentation.objects.get(pk=open_id)
        presentation.card = card
    else:
        presentation = Presentation.objects.create(user=user, card=card, shown_at=now, outcomes={})
    presentation.flagged = card.flagged
    return presentation


def check(presentation: Presentation, answer: Any, now: datetime | None = None) -> Grade | None:
    """Grade an auto-graded card's first answer and keep it; basic cards are just revealed.

    The first answer decides: a second one (a resubmitted form, another tab) is not graded, and
    the grade returned is always the recorded answer's.
    """
    if presentation.answered_at:
        raise AnswerRefused(_("This card was already answered."))
    kind = presentation.card.kind_spec
    content = presentation.card.text().content
    if presentation.checked_at is None:
        fields: dict[str, Any] = {}
        if kind.auto_graded:
            fields = {"answer": answer, "correct": kind.grade(content, answer).correct}
        mark_checked(presentation, now or timezone.now(), **fields)
    if not kind.auto_graded:
        return None
    return kind.grade(content, presentation.answer)


def mark_checked(presentation: Presentation, now: datetime, **fields: Any) -> bool:
    """Record the moment of the answer (once): answer time stops here, and every rating's
    outcome is computed from it, so Again counts from the answer, not from the showing.
    Returns whether this call recorded it.

    The outcomes are the learner's own (their parameters, retention and load balancing); a
    presentation read to schedule (`reads.presentation`) brings the learner's progress,
    retention and load.
    """
    if hasattr(presentation, "learner_progress"):
        progress = presentation.learner_progress
    else:
        progress = Progress.objects.filter(
            user=presentation.user_id, card=presentation.card
        ).first()
    load = None
    if getattr(presentation, "due_dates", None) is not None:
        load = load_of(presentation.user, now, presentation.due_dates)
    outcomes = scheduling.outcomes(presentation.card, progress, now, presentation.user, load)
    recorded = Presentation.objects.filter(
        pk=presentation.pk, checked_at__isnull=True, answered_at__isnull=True
    ).update(checked_at=now, outcomes=outcomes, **fields)
    if recorded:
        presentation.checked_at, presentation.outcomes = now, outcomes
        for name, value in fields.items():
            setattr(presentation, name, value)
    else:  # Another request recorded it first: show that one (the card stays as read).
        presentation.refresh_from_db(
            fields=["checked_at", "outcomes", "answer", "correct", "answered_at"]
        )
    return bool(recorded)


def answer_duration_ms(presentation: Presentation, now: datetime) -> int:
    """From showing to answering (the check, or `now` if never checked), capped like Anki's."""
    answered = presentation.checked_at or now
    ms = int((answered - presentation.shown_at).total_seconds() * 1000)
    return max(0, min(ms, MAX_ANSWER_MS))


def allowed_ratings(presentation: Presentation) -> list[int]:
    """Wrong → Again only; right → Good, or Hard/Easy if the learner says so; basic: any.

    Code cards are graded by their first check's verdict (quiz.runs.service sets `correct`).
    """
    if not presentation.card.kind_spec.self_graded:
        if presentation.correct is None:
            return []
        return [2, 3, 4] if presentation.correct else [1]
    return [1, 2, 3, 4]


@transaction.atomic(savepoint=False)
def answer(presentation: Presentation, rating: int, duration_ms: int, now: datetime) -> Review:
    """Apply the stored outcome of `rating`; refuse a repeat, a card not due, a bad rating.

    `presentation` was read locked (`reads.presentation(lock=True)`) in the transaction this
    runs in.
    """
    if presentation.answered_at:
        raise AnswerRefused(_("This card was already answered."))
    if rating not in allowed_ratings(presentation):
        raise AnswerRefused(_("That rating is not allowed for this answer."), status=400)
    user_id, card = presentation.user_id, presentation.card
    progress = presentation.learner_progress  # type: ignore[attr-defined]
    if progress is not None and (
        progress.due > now
        or (progress.last_review and progress.last_review > presentation.shown_at)
    ):
        raise AnswerRefused(_("This card is not due."))
    if progress is None and presentation.reviewed:
        raise AnswerRefused(_("This card is not due."))
    if presentation.checked_at is None:
        # Rated without the answer shown (a form posted by hand): the outcomes from now.
        mark_checked(presentation, now)
    before = scheduling.snapshot(progress)
    fields = scheduling.progress_fields(presentation.outcomes[str(rating)])
    if progress is not None:
        # Written only if still due and not answered since it was shown (another tab's answer
        # may have come in since it was read): the database checks it as it writes the row.
        due, last_review = (Progress._meta.get_field(name) for name in ("due", "last_review"))
        moved = rows.update(
            Progress,
            fields,
            "id = %s AND due <= %s AND (last_review IS NULL OR last_review <= %s)",
            [
                progress.pk,
                rows.prepared(due, now),
                rows.prepared(last_review, presentation.shown_at),
            ],
        )
        if not moved:
            raise AnswerRefused(_("This card is not due."))
    else:
        try:
            Progress.objects.create(user_id=user_id, card=card, **fields)
        except IntegrityError:  # Answered in another tab meanwhile: it started the card.
            raise AnswerRefused(_("This card is not due.")) from None
    presentation.answered_at = now
    rows.update(Presentation, {"answered_at": now}, "id = %s", [presentation.pk])
    return Review.objects.create(
        user_id=user_id,
        card=card,
        rating=rating,
        reviewed_at=now,
        duration_ms=max(0, min(duration_ms, MAX_ANSWER_MS)),
        answer=presentation.answer,
        state_before=progress.state if progress else None,
        previous=before,
        presentation=presentation,
    )


@transaction.atomic
def undo_last(user: AbstractBaseUser, deck: Deck) -> Card | None:
    """Take back the learner's last rating in `deck`: progress as it was, log row removed.

    The answer itself stays: the card comes back showing its recorded result and the ratings
    that result allows, so a wrong answer cannot be undone into a right one.
    """
    review = (
        Review.objects.select_for_update(of=("self",))
        .filter(user=user, card__deck=deck)
        .select_related("card", "presentation")
        .order_by("-reviewed_at", "-pk")
        .first()
    )
    if review is None:
        return None
    if review.previous is None:
        Progress.objects.filter(user=user, card=review.card).delete()
    else:
        Progress.objects.filter(user=user, card=review.card).update(
            **scheduling.progress_fields(review.previous)
        )
    if review.presentation:
        # The same answered card again, with the same intervals on the buttons.
        Presentation.objects.filter(pk=review.presentation.pk).update(answered_at=None)
    review.delete()
    return review.card
