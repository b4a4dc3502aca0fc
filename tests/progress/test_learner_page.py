"""My progress: every figure of the hand-made history, on the page and from the functions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.progress import figures as progress
from quiz.progress.figures import Ratio, streak

pytestmark = pytest.mark.django_db


def figure(html: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1).strip()


def test_the_page_shows_streak_reviews_due_today_and_cards_seen(client, history):
    client.force_login(history.ada)
    html = client.get("/progress/").content.decode()
    assert figure(html, "streak") == "4"
    assert figure(html, "reviews-year") == "7"
    assert figure(html, "due-today") == "2"
    assert figure(html, "seen") == "4"
    assert "7 reviews on 6 days in the last 12 months" in html


def test_true_retention_splits_young_and_mature_cards(client, history):
    figures = progress.learner_progress(history.ada)
    (row,) = figures.retention
    assert row.retention.young == Ratio(2, 3)
    assert row.retention.mature == Ratio(2, 2)
    assert row.retention.overall == Ratio(4, 5)
    client.force_login(history.ada)
    html = client.get("/progress/").content.decode()
    assert "66.7 %" in html and "100.0 %" in html and "80.0 %" in html
    assert "2 of 3 reviews" in html
    assert "target 90.0 %" in html  # the deck's desired retention


def test_the_forecast_counts_overdue_cards_as_due_today(history):
    today = timezone.localdate(history.now)
    due = dict(progress.forecast(history.ada, today))
    assert len(due) == 30
    assert due[today] == 2
    assert due[today + timedelta(days=2)] == 1
    assert due[today + timedelta(days=5)] == 1
    assert sum(due.values()) == 4


def test_cards_are_counted_by_state_with_unseen_cards_as_new(history):
    assert progress.state_counts(history.ada) == {
        "new": 1,
        "learning": 1,
        "review": 2,
        "relearning": 1,
    }


def test_mastery_is_the_mean_recall_of_a_topics_cards_with_new_cards_at_zero(history):
    # FSRS-6: R(t, S) = (1 + F t / S) ^ -decay, F = 0.9 ^ (-1 / decay) - 1; every seen card of
    # the fixture has S = 10 and was last reviewed a day ago.
    decay = 0.1542
    factor = 0.9 ** (-1 / decay) - 1
    recall = (1 + factor * 1 / 10) ** -decay
    topics = {t.tag: t for t in progress.topic_mastery(history.ada, history.now)}
    assert (topics["t1"].cards, topics["t1"].seen) == (2, 2)
    assert (topics["t0"].cards, topics["t0"].seen) == (2, 1)
    assert topics["t1"].recall == pytest.approx(recall, abs=1e-4)
    assert topics["t0"].recall == pytest.approx(recall / 2, abs=1e-4)


def test_the_history_of_code_attempts_lists_verdicts_and_failed_checks(client, history):
    client.force_login(history.ada)
    html = client.get("/progress/").content.decode()
    rows = re.findall(r'<tr data-run="\d+">(.*?)</tr>', html, re.S)
    assert len(rows) == 4  # Ada's four runs, never Bob's
    assert sum("passed" in row for row in rows) == 1
    assert any("failed" in row and "output" in row for row in rows)


def test_a_learner_sees_only_their_own_figures(client, history):
    client.force_login(history.bob)
    html = client.get("/progress/").content.decode()
    assert figure(html, "reviews-year") == "2"
    assert figure(html, "streak") == "0"
    assert len(re.findall(r'<tr data-run="', html)) == 1


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [([0, 1, 2], 3), ([1, 2, 5], 2), ([0, 2], 1), ([3], 0), ([], 0)],
)
def test_a_streak_counts_days_in_a_row_up_to_today_or_yesterday(days_ago, expected):
    today = timezone.localdate()
    assert streak({today - timedelta(days=d) for d in days_ago}, today) == expected


def test_a_learner_with_no_history_sees_empty_states(client, history, django_user_model):
    client.force_login(django_user_model.objects.create_user("newcomer"))
    html = client.get("/progress/").content.decode()
    assert figure(html, "streak") == "0"
    assert figure(html, "due-today") == "0"
    assert "No code attempts yet." in html
    assert "No reviews of cards in review state yet." in html


def test_topics_are_named_not_shown_as_raw_tags(client, history):
    from quiz.progress.views import tag_label

    assert tag_label("topic-5") == "Topic 5"
    assert tag_label("to-thread") == "To thread"
    client.force_login(history.ada)
    page = client.get("/progress/").content.decode()
    assert ">T1<" in page and ">t1<" not in page
