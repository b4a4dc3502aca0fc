"""The workload simulator on My progress: fsrs-rs' own simulation, per desired retention."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from fsrs import Rating, Scheduler
from fsrs_rs_python import DEFAULT_PARAMETERS, default_simulator_config, simulate

from quiz.models import FittedParameters, PersonalRetention
from quiz.progress import workload
from quiz.study import scheduling
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db

OWN = [*DEFAULT_PARAMETERS[:4]]  # made-up "fitted" parameters: much more stable first memories
OWN = [w * 3 for w in OWN] + list(DEFAULT_PARAMETERS[4:])


def fsrs_figures(parameters, retention, cards, new_per_day, reviews_per_day, span):
    """fsrs-rs' simulation of `span` days, asked directly."""
    config = default_simulator_config()
    config.deck_size = cards
    config.learn_span = span
    config.learn_limit = new_per_day
    config.review_limit = reviews_per_day
    config.max_cost_perday = 86_400.0
    result = simulate(list(parameters), retention, config, workload.SEED)
    done = sum(result.review_cnt_per_day) + sum(result.learn_cnt_per_day)
    return done / span, result.memorized_cnt_per_day[-1]


@pytest.mark.parametrize("fitted", [False, True])
def test_the_figures_are_fsrs_own_simulation_for_the_same_inputs(tmp_path, fitted):
    deck = make_deck(tmp_path, 40, new_per_day=7, reviews_per_day=60)
    learner = User.objects.create_user("ada")
    parameters = list(DEFAULT_PARAMETERS)
    if fitted:
        parameters = OWN
        FittedParameters.objects.create(
            user=learner, parameters=OWN, reviews=500, log_loss_default=0.4,
            log_loss_fitted=0.3, in_use=True, in_use_since=timezone.now(),
        )  # fmt: skip

    points = workload.workload(deck, learner)

    assert [p.retention for p in points] == list(workload.RETENTIONS)
    for point in points:
        for span in workload.SPANS:
            per_day, known = fsrs_figures(parameters, point.retention, 40, 7, 60, span)
            assert point.reviews_per_day[span] == pytest.approx(per_day)
            assert point.known[span] == pytest.approx(known)
    # Higher retention costs more reviews and keeps more cards known, over the year.
    assert points[-1].reviews_per_day[365] > points[0].reviews_per_day[365]
    assert points[-1].known[365] > points[0].known[365]


def test_my_progress_draws_the_chart_and_its_table(client, tmp_path):
    deck = make_deck(tmp_path, 20, new_per_day=5)
    learner = User.objects.create_user("ada")
    client.force_login(learner)

    html = client.get("/progress/").content.decode()

    section = html[html.index('id="workload"') :]
    assert section.count("<polyline") == 3
    assert section.count('class="dot line0"') == len(workload.RETENTIONS)
    points = {p.retention: p for p in workload.workload(deck, learner)}
    rows = re.findall(r'<tr data-retention="([0-9.]+)"', section)
    assert [float(r) for r in rows] == list(workload.RETENTIONS)
    shown = re.search(r'<tr data-retention="0.90".*?</tr>', section, re.S).group(0)
    per_day = re.search(r'data-span="365" data-value="([0-9.]+)"', shown).group(1)
    assert float(per_day) == pytest.approx(points[0.9].reviews_per_day[365], abs=1e-5)
    assert 'class="current"' in shown  # the deck's own 0.9


def test_choosing_a_retention_schedules_the_learners_cards_with_it(client, tmp_path):
    deck = make_deck(tmp_path, 1, desired_retention=0.9)
    learner = User.objects.create_user("ada")
    client.force_login(learner)

    response = client.post(f"/progress/retention/{deck.slug}/", {"retention": "0.80"})

    assert response.status_code == 302
    assert PersonalRetention.objects.get(user=learner, deck=deck).desired_retention == 0.8
    page = client.get(f"/progress/?deck={deck.slug}").content.decode()
    assert "scheduled for a desired retention of 0.80" in page
    now = timezone.now()
    card = deck.cards.get()
    outcome = scheduling.outcomes(card, None, now, learner)[str(int(Rating.Easy))]
    own = Scheduler(desired_retention=0.8, enable_fuzzing=False)
    expected = own.review_card(scheduling.fsrs_card(card.pk, None), Rating.Easy, now)[0].due
    assert scheduling.due_of(outcome) == expected
    default = scheduling.due_of(scheduling.outcomes(card, None, now)[str(int(Rating.Easy))])
    assert default - now < expected - now - timedelta(hours=1)

    client.post(f"/progress/retention/{deck.slug}/", {"retention": ""})
    assert not PersonalRetention.objects.exists()
    assert client.post(f"/progress/retention/{deck.slug}/", {"retention": "0.5"}).status_code == 400
