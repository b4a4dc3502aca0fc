"""Every answer is scheduled by fsrs, and the interval on a button is the interval applied."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from quiz.models import PersonalRetention, Presentation, Progress, Review
from quiz.study import scheduling, service
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db


def show_and_answer(client, deck, rating: int) -> Presentation:
    page = client.get(f"/decks/{deck.slug}/study/").content.decode()
    token = re.search(r"/study/([0-9a-f-]{36})/check/", page).group(1)
    client.post(f"/study/{token}/check/")
    client.post(f"/study/{token}/answer/", {"rating": rating})
    return Presentation.objects.get(token=token)


def test_good_on_a_new_card_gives_the_due_date_fsrs_computes(client, learner, tmp_path):
    deck = make_deck(tmp_path, 1, desired_retention=0.85)
    client.force_login(learner)

    presentation = show_and_answer(client, deck, 3)

    # Counted from the answer (the card turned over), not from when it was shown.
    assert presentation.checked_at >= presentation.shown_at
    expected, _ = Scheduler(desired_retention=0.85, enable_fuzzing=False).review_card(
        FsrsCard(card_id=presentation.card.pk), Rating.Good, presentation.checked_at
    )
    progress = Progress.objects.get(user=learner)
    assert progress.due == expected.due
    assert progress.stability == pytest.approx(expected.stability)
    assert progress.difficulty == pytest.approx(expected.difficulty)
    assert Review.objects.get(user=learner).rating == 3


def test_a_card_rated_without_turning_it_over_is_scheduled_from_the_rating(
    client, learner, tmp_path
):
    """A rating posted straight from the card's front (by hand: the page shows no buttons
    there) is scheduled as if the card had been turned over then."""
    deck = make_deck(tmp_path, 1, desired_retention=0.85)
    client.force_login(learner)
    shown_at = timezone.now() - timedelta(minutes=10)
    with time_machine.travel(shown_at, tick=False):
        page = client.get(f"/decks/{deck.slug}/study/").content.decode()
    token = re.search(r"/study/([0-9a-f-]{36})/check/", page).group(1)

    response = client.post(f"/study/{token}/answer/", {"rating": 3})

    assert response.status_code == 302
    presentation = Presentation.objects.get(token=token)
    assert presentation.checked_at > shown_at + timedelta(minutes=9)
    expected, _ = Scheduler(desired_retention=0.85, enable_fuzzing=False).review_card(
        FsrsCard(card_id=presentation.card.pk), Rating.Good, presentation.checked_at
    )
    assert Progress.objects.get(user=learner).due == expected.due
    assert (
        Review.objects.get(user=learner).duration_ms == service.MAX_ANSWER_MS
    )  # capped as Anki does


def test_the_fuzzed_interval_shown_is_the_interval_applied(client, learner, tmp_path, settings):
    settings.FSRS_FUZZ = True
    deck = make_deck(tmp_path, 1)
    card = deck.cards.get()
    long_ago = timezone.now() - timedelta(days=30)
    Progress.objects.create(
        user=learner, card=card, state=2, step=None, stability=20.0, difficulty=5.0,
        due=long_ago + timedelta(days=20), last_review=long_ago,
    )  # fmt: skip
    client.force_login(learner)

    page = client.get("/decks/tiny/study/").content.decode()
    token = re.search(r"/study/([0-9a-f-]{36})/check/", page).group(1)
    revealed = client.post(f"/study/{token}/check/").content.decode()
    shown = re.search(r'value="4".*?class="interval">([^<]+)<', revealed, re.S).group(1)
    client.post(f"/study/{token}/answer/", {"rating": 4})

    presentation = Presentation.objects.get(token=token)
    progress = Progress.objects.get(user=learner)
    assert progress.due == scheduling.due_of(presentation.outcomes["4"])
    assert scheduling.interval_label(presentation.shown_at, progress.due) == shown


def test_desired_retention_changes_the_interval(learner, tmp_path):
    strict = make_deck(tmp_path, 1, deck="strict", desired_retention=0.95)
    lax = make_deck(tmp_path, 1, deck="lax", desired_retention=0.75)
    now = timezone.now()

    def easy_due(deck):
        return scheduling.due_of(scheduling.outcomes(deck.cards.get(), None, now)["4"])

    assert easy_due(strict) < easy_due(lax)


@pytest.mark.parametrize("own", [0.97, 0.75])
def test_a_checked_answer_is_scheduled_at_the_learners_own_retention(
    client, learner, tmp_path, own
):
    """The check recomputes every rating's outcome from the moment of the answer: with the
    learner's own retention for the deck, as when the card was shown, not the deck's."""
    deck = make_deck(tmp_path, 1, deck="kinds")
    PersonalRetention.objects.create(user=learner, deck=deck, desired_retention=own)
    card = deck.cards.get()
    now = timezone.now()
    progress = Progress.objects.create(
        user=learner, card=card, state=2, stability=20.0, difficulty=5.0,
        due=now - timedelta(days=1), last_review=now - timedelta(days=21),
    )  # fmt: skip
    client.force_login(learner)
    page = client.get("/decks/kinds/study/").content.decode()
    token = re.search(r"/study/([0-9a-f-]{36})/check/", page).group(1)

    client.post(f"/study/{token}/check/")

    presentation = Presentation.objects.get(token=token)
    at = presentation.checked_at
    expected = Scheduler(desired_retention=own, enable_fuzzing=False).review_card(
        scheduling.fsrs_card(card.pk, progress), Rating.Good, at
    )[0]
    deck_default = Scheduler(desired_retention=0.9, enable_fuzzing=False).review_card(
        scheduling.fsrs_card(card.pk, progress), Rating.Good, at
    )[0]
    assert scheduling.due_of(presentation.outcomes["3"]) == expected.due != deck_default.due
