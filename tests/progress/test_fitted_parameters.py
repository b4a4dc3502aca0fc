"""Fitted FSRS parameters schedule a learner's cards when they beat the defaults on the
learner's own held-out reviews; otherwise the defaults stay."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from fsrs import Rating, Scheduler

from quiz.models import FittedParameters, LearnerSettings, Progress, Review
from quiz.progress import fitting
from quiz.study import scheduling
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db


@pytest.fixture
def fitted(tmp_path, monkeypatch):
    """seeddemo learners over a year, fitted by `fitparams` with no names (all of them)."""
    make_deck(tmp_path, 80, new_per_day=20)
    call_command("seeddemo", learners=6, days=365, seed=4, until=date(2026, 6, 30))
    monkeypatch.setattr(fitting, "MIN_REVIEWS", 300)
    call_command("fitparams", stdout=StringIO())
    return {
        user.username: status(user.username)
        for user in User.objects.filter(username__startswith="learner-").order_by("username")
    }


def status(username: str) -> dict:
    out = StringIO()
    call_command("fsrsstatus", username, stdout=out)
    return json.loads(out.getvalue())


def a_review_card(user: User) -> Progress:
    return (
        Progress.objects.filter(user=user, state=Progress.State.REVIEW)
        .select_related("card__deck")
        .order_by("card__position")
        .first()
    )


def test_a_learner_whose_fitted_parameters_beat_the_defaults_is_scheduled_with_them(fitted):
    winners = [name for name, shown in fitted.items() if shown["parameters"] == "fitted"]
    assert winners, fitted
    name = winners[0]
    shown = fitted[name]
    learner = User.objects.get(username=name)
    fit = FittedParameters.objects.get(user=learner)
    assert shown["log_loss_fitted"] == pytest.approx(fit.log_loss_fitted)
    assert shown["log_loss_fitted"] < shown["log_loss_default"]
    assert shown["reviews"] == Review.objects.filter(user=learner).count()
    assert shown["since"] == fit.in_use_since.isoformat()

    progress = a_review_card(learner)
    now = progress.due + timedelta(days=3)
    outcome = scheduling.outcomes(progress.card, progress, now, learner)[str(int(Rating.Good))]

    card = scheduling.fsrs_card(progress.card_id, progress)
    retention = progress.card.deck.desired_retention
    own = Scheduler(parameters=fit.parameters, desired_retention=retention, enable_fuzzing=False)
    default = Scheduler(desired_retention=retention, enable_fuzzing=False)
    expected = own.review_card(card, Rating.Good, now)[0].due
    assert scheduling.due_of(outcome) == expected
    assert expected != default.review_card(card, Rating.Good, now)[0].due


def test_a_learner_whose_fitted_parameters_lose_keeps_the_defaults(fitted):
    losers = [name for name, shown in fitted.items() if shown["parameters"] == "default"]
    assert losers, fitted
    shown = fitted[losers[0]]
    assert shown["log_loss_fitted"] >= shown["log_loss_default"] or shown["held_out"] < (
        fitting.MIN_HELD_OUT
    )
    assert shown["since"] is None
    learner = User.objects.get(username=losers[0])
    progress = a_review_card(learner)
    now = progress.due + timedelta(days=3)
    outcome = scheduling.outcomes(progress.card, progress, now, learner)["3"]
    default = Scheduler(desired_retention=progress.card.deck.desired_retention)
    card = scheduling.fsrs_card(progress.card_id, progress)
    default.enable_fuzzing = False
    assert scheduling.due_of(outcome) == default.review_card(card, Rating.Good, now)[0].due


def test_opting_out_brings_the_defaults_back_and_a_refit_keeps_the_date_of_the_switch(fitted):
    name = next(name for name, shown in fitted.items() if shown["parameters"] == "fitted")
    learner = User.objects.get(username=name)
    since = fitted[name]["since"]

    call_command("fitparams", name, stdout=StringIO())
    assert status(name)["since"] == since

    LearnerSettings.objects.create(user=learner, use_fitted_parameters=False)
    assert status(name)["parameters"] == "default"
    assert scheduling.parameters_for(User.objects.get(pk=learner.pk)) is None


def test_fitparams_names_an_unknown_learner():
    with pytest.raises(Exception, match="No such learner: nobody"):
        call_command("fitparams", "nobody", stdout=StringIO())


def test_my_progress_says_since_when_and_by_how_much(client, fitted):
    name = next(name for name, shown in fitted.items() if shown["parameters"] == "fitted")
    learner = User.objects.get(username=name)
    fit = FittedParameters.objects.get(user=learner)
    client.force_login(learner)

    html = client.get("/progress/").content.decode()

    assert "Scheduled with your own parameters since" in html
    assert f"log loss {fit.log_loss_fitted:.2f} vs {fit.log_loss_default:.2f}" in html
    assert timezone.localtime(fit.in_use_since).strftime("%Y") in html


def test_the_staff_drill_down_says_which_parameters_schedule_the_learner(client, fitted):
    name = next(name for name, shown in fitted.items() if shown["parameters"] == "fitted")
    loser = next(name for name, shown in fitted.items() if shown["parameters"] == "default")
    client.force_login(User.objects.create_user("stan", is_staff=True))

    for username, words in [(name, "Scheduling with the fitted parameters since"),
                            (loser, "do not beat them on held-out reviews")]:  # fmt: skip
        learner = User.objects.get(username=username)
        html = client.get(f"/progress/learners/{learner.pk}/").content.decode()
        assert words in html
