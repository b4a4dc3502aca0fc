"""The study loop's query counts, pinned: the study page, a graded check and an answer.

Exact counts, so a query more fails here. A deck with history: one card due, one learnt and not
due, two new; each step is what a learner's browser does. Inside a test every transaction is a
savepoint, so an answer counts two queries (SAVEPOINT, RELEASE) that production does not send.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quiz.decks.loader import load_decks
from quiz.models import Card, Presentation, Progress, Review, ReviewDay
from quiz.study import reads, service
from tests.study.test_answer_state import ANSWERS, DECK, HX, shown

pytestmark = pytest.mark.django_db

# What each request may send: the session, the user (read with the learner's settings and fitted
# FSRS parameters), then the study loop's own queries.
# The study page: the deck with its status (with the learner's retention for the deck and their
# due dates, what scheduling a card anew needs), deck texts, the next card with its text, its
# presentation (read again, or written new), the user's groups (the menu).
STUDY_PAGE = 7
STUDY_FRAGMENT = 5  # the card alone (htmx): no deck texts, no groups
# presentation with its card's text, the learner's progress, retention and due dates (load
# balancing); the check's write. Only the card's back is sent again: no deck status.
CHECK = 4
# locked presentation with the progress; progress's write, presentation's write, review, daily
# counts (one upsert); status (with the scheduler's inputs); next card with its text; its new
# presentation; and the transaction's SAVEPOINT and RELEASE (BEGIN and COMMIT in production)
ANSWER = 12


@pytest.fixture(autouse=True)
def sessions_in_the_database(settings) -> None:
    """The counts above read the session from the database, as without a shared cache; with
    one (`CACHE_URL`), production reads it from Redis, one query fewer each."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture
def history(tmp_path: Path, client, learner) -> None:
    """`name-it` due since yesterday, `in-order` learnt and due next week, `pick`, `prints` new."""
    (tmp_path / "kinds.en.md").write_text(DECK, encoding="utf-8")
    load_decks([tmp_path])
    now = timezone.now()
    for key, due in [("name-it", now - timedelta(days=1)), ("in-order", now + timedelta(days=7))]:
        card = Card.objects.get(key=key)
        Progress.objects.create(
            user=learner, card=card, state=2, stability=3, difficulty=5, due=due,
            last_review=now - timedelta(days=3),
        )  # fmt: skip
        for days in (3, 5):
            Review.objects.create(
                user=learner, card=card, rating=3, reviewed_at=now - timedelta(days=days)
            )
    client.force_login(learner)


def counted(request) -> tuple[int, str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code == 200
    return len(queries), response.content.decode(), [q["sql"] for q in queries.captured_queries]


@pytest.mark.usefixtures("history")
def test_a_study_round_takes_the_pinned_number_of_queries(client, learner):
    n, page, sql = counted(lambda: client.get("/decks/kinds/study/"))
    card, token = shown(page)
    assert card == "name-it"  # the due card, on a new presentation
    assert n == STUDY_PAGE, sql

    n, page, sql = counted(lambda: client.get("/decks/kinds/study/"))
    assert shown(page) == ("name-it", token)  # a reload shows the same presentation
    assert n == STUDY_PAGE, sql

    n, fragment, sql = counted(lambda: client.get("/decks/kinds/study/", **HX))
    assert shown(fragment) == ("name-it", token)
    assert n == STUDY_FRAGMENT, sql

    n, fragment, sql = counted(
        lambda: client.post(f"/study/{token}/check/", {"text": "future"}, **HX)
    )
    assert "Right!" in fragment
    assert n == CHECK, sql

    n, fragment, sql = counted(lambda: client.post(f"/study/{token}/answer/", {"rating": 3}, **HX))
    assert shown(fragment)[0] == "pick"  # the first new card comes next
    assert n == ANSWER, sql
    # The answer was taken in full: progress moved on, one review, counted in its day.
    progress = Progress.objects.get(user=learner, card__key="name-it")
    assert progress.due > timezone.now() and progress.last_review is not None
    assert Review.objects.filter(user=learner, card__key="name-it").count() == 3
    today = Review.objects.get(presentation__token=token).reviewed_at.astimezone(UTC).date()
    assert ReviewDay.objects.get(card__key="name-it", day=today).reviews == 1
    assert Presentation.objects.get(token=token).answered_at is not None


@pytest.mark.usefixtures("history")
def test_answering_a_new_card_takes_as_many_queries(client, learner):
    token = shown(client.get("/decks/kinds/study/").content.decode())[1]
    client.post(f"/study/{token}/check/", {"text": "future"}, **HX)
    client.post(f"/study/{token}/answer/", {"rating": 3}, **HX)
    token = shown(client.get("/decks/kinds/study/").content.decode())[1]  # pick, new
    client.post(f"/study/{token}/check/", {"choice": ["0"]}, **HX)

    n, fragment, sql = counted(lambda: client.post(f"/study/{token}/answer/", {"rating": 3}, **HX))
    assert shown(fragment)[0] == "prints"
    assert n == ANSWER, sql
    assert Progress.objects.filter(user=learner, card__key="pick").count() == 1
    assert Review.objects.get(user=learner, card__key="pick").state_before is None


@pytest.mark.usefixtures("history")
def test_every_kind_is_checked_and_answered_in_the_pinned_number_of_queries(client, learner):
    """Each auto-graded kind in turn, two due and two new: its check, and its answer bringing
    the next card on a new presentation."""
    Progress.objects.filter(user=learner, card__key="in-order").update(
        due=timezone.now() - timedelta(hours=1)
    )
    seen = []
    page = client.get("/decks/kinds/study/").content.decode()
    for _ in range(len(ANSWERS)):
        card, token = shown(page)
        seen.append(card)
        n, fragment, sql = counted(
            lambda: client.post(f"/study/{token}/check/", ANSWERS[card][1], **HX)  # noqa: B023
        )
        assert "Right!" in fragment
        assert n == CHECK, (card, sql)
        if len(seen) == len(ANSWERS):
            break
        n, page, sql = counted(
            lambda: client.post(f"/study/{token}/answer/", {"rating": 3}, **HX)  # noqa: B023
        )
        assert shown(page)[0] not in seen  # the next card, on a new presentation
        assert n == ANSWER, (card, sql)
    assert sorted(seen) == sorted(ANSWERS)


def read_for_answer(token: str) -> Presentation:
    """The presentation as the answer view reads it: once, locked, with the progress."""
    return reads.presentation(token, lock=True)


@pytest.mark.usefixtures("history")
def test_an_answer_read_before_another_tab_answered_is_refused_by_the_write(client, learner):
    """Two presentations of one due card: the second tab's answer, read before the first one
    was written, is refused when it writes, and leaves nothing behind."""
    first = shown(client.get("/decks/kinds/study/").content.decode())[1]
    client.post(f"/study/{first}/check/", {"text": "future"}, **HX)
    card = Card.objects.get(key="name-it")
    shown_at = timezone.now() - timedelta(minutes=1)
    other = Presentation.objects.create(  # a second tab's, shown and checked right meanwhile
        user=learner, card=card, shown_at=shown_at, checked_at=shown_at, answer="future",
        correct=True, outcomes=Presentation.objects.get(token=first).outcomes,
    )  # fmt: skip
    stale = read_for_answer(other.token)
    service.answer(read_for_answer(first), 3, 1000, timezone.now())
    moved = Progress.objects.get(user=learner, card=card).due

    with pytest.raises(service.AnswerRefused), transaction.atomic():
        service.answer(stale, 3, 1000, timezone.now())

    assert Progress.objects.get(user=learner, card=card).due == moved
    assert Review.objects.filter(presentation=other).count() == 0
    assert Presentation.objects.get(pk=other.pk).answered_at is None


@pytest.mark.usefixtures("history")
def test_a_new_card_started_in_another_tab_meanwhile_is_refused(client, learner):
    token = shown(client.get("/decks/kinds/study/").content.decode())[1]
    client.post(f"/study/{token}/check/", {"text": "future"}, **HX)
    client.post(f"/study/{token}/answer/", {"rating": 3}, **HX)
    token = shown(client.get("/decks/kinds/study/").content.decode())[1]  # pick, new
    client.post(f"/study/{token}/check/", {"choice": ["0"]}, **HX)
    stale = read_for_answer(token)
    assert stale.learner_progress is None
    card = Card.objects.get(key="pick")
    Progress.objects.create(  # another tab's answer, written after this one was read
        user=learner, card=card, state=1, step=0, due=timezone.now() + timedelta(minutes=1)
    )

    with pytest.raises(service.AnswerRefused), transaction.atomic():
        service.answer(stale, 3, 1000, timezone.now())

    assert Progress.objects.get(user=learner, card=card).step == 0
    assert not Review.objects.filter(card=card).exists()
    assert Presentation.objects.get(token=token).answered_at is None
