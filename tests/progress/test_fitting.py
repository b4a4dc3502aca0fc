"""Per-learner FSRS parameters: fitted with fsrs-rs on the learner's history, on demand."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from quiz.models import FittedParameters, Review
from quiz.progress import fitting
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded_learners(tmp_path, monkeypatch):
    make_deck(tmp_path, 30, new_per_day=10)
    call_command("seeddemo", learners=2, days=150, seed=4, until=date(2026, 6, 30))
    monkeypatch.setattr(fitting, "MIN_REVIEWS", 100)
    return list(User.objects.filter(username__startswith="learner-").order_by("username"))


def test_fitting_stores_21_parameters_and_both_log_losses(seeded_learners):
    learner = seeded_learners[0]
    assert Review.objects.filter(user=learner).count() >= 100

    assert fitting.fit_learner.delay(learner.pk).result == fitting.FITTED

    fit = FittedParameters.objects.get(user=learner)
    assert len(fit.parameters) == 21
    assert fit.reviews == Review.objects.filter(user=learner).count()
    # Both measured on the reviews of the cards held out of the fit, which may favour either.
    assert fit.log_loss_fitted > 0 and fit.log_loss_default > 0
    held_out = [c for c in Review.objects.filter(user=learner).values_list("card", flat=True)]
    assert 0 < fit.held_out <= sum(1 for card in held_out if fitting.held_out_card(card))
    assert fit.in_use == (
        fit.held_out >= fitting.MIN_HELD_OUT and fit.log_loss_fitted < fit.log_loss_default
    )


def test_too_few_reviews_fit_nothing(seeded_learners, monkeypatch):
    monkeypatch.setattr(fitting, "MIN_REVIEWS", 10**6)
    assert fitting.fit_learner.delay(seeded_learners[0].pk).result == fitting.TOO_FEW
    assert not FittedParameters.objects.exists()


def test_the_weekly_task_fits_every_learner_with_enough_reviews(seeded_learners):
    assert fitting.fit_all_learners.delay().result == 2
    assert FittedParameters.objects.count() == 2


def test_staff_fit_a_learner_from_the_drill_down_page(client, seeded_learners):
    learner = seeded_learners[1]
    client.force_login(User.objects.create_user("stan", is_staff=True))

    response = client.post(f"/progress/learners/{learner.pk}/fit/", follow=True)

    html = response.content.decode()
    assert "Parameters fitted." in html
    fit = FittedParameters.objects.get(user=learner)
    shown = re.search(r'data-figure="loss-fitted">([^<]+)<', html).group(1)
    assert shown == f"{fit.log_loss_fitted:.4f}"
