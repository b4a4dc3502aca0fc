"""The study loop's reads written in SQL load what the ORM loads, and lock what it locked."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from quiz.accounts.backends import LearnerBackend
from quiz.decks.loader import load_decks
from quiz.models import Card, Deck, FittedParameters, LearnerSettings, Presentation, Review
from quiz.study import reads, service
from tests.conftest import require
from tests.study.test_answer_state import ANSWERS, DECK, HX, shown


@pytest.fixture
def kinds(tmp_path: Path) -> None:
    (tmp_path / "kinds.en.md").write_text(DECK, encoding="utf-8")
    load_decks([tmp_path])


def fields(instance: Any) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


@pytest.mark.django_db
@pytest.mark.usefixtures("kinds")
def test_a_checked_presentation_reads_as_the_orm_reads_it(client, learner):
    client.force_login(learner)
    key, token = shown(client.get("/decks/kinds/study/").content.decode())
    client.post(f"/study/{token}/check/", ANSWERS[key][1], **HX)  # an answer, JSON, a bool
    client.post(f"/study/{token}/answer/", {"rating": 3}, **HX)  # and now a progress row

    read = reads.presentation(token, learner, schedule=True, shown=True)

    orm = Presentation.objects.select_related("card__deck").get(token=token)
    assert fields(read) == fields(orm)
    assert read.answer is not None and read.correct is True and read.answered_at is not None
    assert fields(read.card) == fields(orm.card)
    assert fields(read.card.deck) == fields(orm.card.deck)
    progress = orm.card.progress.get(user=learner)
    assert fields(read.learner_progress) == fields(progress)
    assert read.learner_progress.due.tzinfo is not None
    assert read.card.text().content == orm.card.text().content
    assert read.flagged is False
    assert read.card.deck.learner_retention == orm.card.deck.desired_retention


@pytest.mark.django_db
@pytest.mark.usefixtures("kinds")
def test_only_the_learner_shown_a_card_reads_it(client, learner, other_learner):
    client.force_login(learner)
    _, token = shown(client.get("/decks/kinds/study/").content.decode())

    assert reads.presentation(token, other_learner, shown=True) is None
    assert reads.presentation(token, learner, lock=True).reviewed is False
    assert client.post(f"/study/{token}/check/", {}, **HX).status_code == 200
    other = Client()
    other.force_login(other_learner)
    assert other.post(f"/study/{token}/check/", {}, **HX).status_code == 404


@pytest.mark.django_db
def test_the_session_user_comes_in_one_query_with_settings_and_parameters(
    learner, other_learner, django_assert_num_queries
):
    LearnerSettings.objects.create(user=learner, time_zone="Asia/Yekaterinburg")
    FittedParameters.objects.create(
        user=learner, parameters=[0.5] * 21, reviews=1000, log_loss_default=0.4,
        log_loss_fitted=0.3, in_use=True,
    )  # fmt: skip

    with django_assert_num_queries(1):
        user = LearnerBackend().get_user(learner.pk)
        assert user == learner and user.password == learner.password
        assert user.date_joined == learner.date_joined
        assert user.learner_settings.time_zone == "Asia/Yekaterinburg"
        assert user.learner_settings.user is user
        assert user.fitted_parameters.parameters == [0.5] * 21
        assert user.fitted_parameters.in_use is True
    with django_assert_num_queries(1):
        user = LearnerBackend().get_user(other_learner.pk)
        assert not hasattr(user, "learner_settings")
        assert not hasattr(user, "fitted_parameters")


@pytest.mark.django_db
def test_an_inactive_or_deleted_user_is_signed_out(learner):
    get_user_model().objects.filter(pk=learner.pk).update(is_active=False)
    assert LearnerBackend().get_user(learner.pk) is None
    assert LearnerBackend().get_user(learner.pk + 1000) is None


@pytest.mark.django_db(transaction=True)
def test_two_answers_of_one_card_at_once_make_one_review(kinds, learner):
    """The answer's read locks the presentation: a second answer sent meanwhile waits for the
    first to commit, then finds the card answered and is refused."""
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    browser = Client()
    browser.force_login(learner)
    key, token = shown(browser.get("/decks/kinds/study/").content.decode())
    browser.post(f"/study/{token}/check/", ANSWERS[key][1], **HX)
    holding, release = threading.Event(), threading.Event()
    second: dict[str, Any] = {}

    def first_answer() -> None:
        with transaction.atomic():
            presentation = reads.presentation(token, learner, lock=True)
            holding.set()
            release.wait(60)
            service.answer(presentation, 3, 1000, timezone.now())
        connection.close()

    def second_answer() -> None:
        second["response"] = browser.post(f"/study/{token}/answer/", {"rating": 3}, **HX)
        connection.close()

    first = threading.Thread(target=first_answer)
    first.start()
    holding.wait(60)
    other = threading.Thread(target=second_answer)
    other.start()
    # The second answer's request is waiting on the first one's lock (or, unlocked, done).
    deadline = time.monotonic() + 60
    while other.is_alive() and not waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    blocked = other.is_alive()
    release.set()
    first.join(60)
    other.join(60)

    assert blocked, "the second answer did not wait for the first one's lock"
    assert second["response"].status_code == 409
    assert Review.objects.filter(presentation__token=token).count() == 1


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db
@pytest.mark.usefixtures("kinds")
def test_the_next_card_comes_with_its_text_and_marks(client, learner):
    """Read in SQL, the next card is the deck's first unseen one, with its text, not flagged,
    and no open presentation; once shown, that presentation is open."""
    deck = Deck.objects.get(slug="kinds")
    now = timezone.now()
    status = service.deck_statuses(learner, [deck], now)[0]

    card, progress = service.next_card(learner, deck, status, now)

    assert progress is None
    assert card == Card.objects.filter(deck=deck).order_by("position").first()
    assert card.text().content["front"] == "Which call runs coroutines concurrently?"
    assert (card.flagged, card.open_presentation) == (False, None)
    shown_now = service.present(learner, card, None, now)
    card, _ = service.next_card(learner, deck, status, now)
    assert card.open_presentation == shown_now.pk
    assert card.open_shown_at == shown_now.shown_at
