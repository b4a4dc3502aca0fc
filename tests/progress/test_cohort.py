"""Staff's cohort page: activity per day, true retention, backlog, and the learner table."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.progress import figures as progress
from quiz.progress.figures import Ratio

pytestmark = pytest.mark.django_db


def learner_row(html: str, name: str) -> dict[str, str]:
    row = re.search(rf'<tr data-learner="{name}">(.*?)</tr>', html, re.S).group(1)
    return dict(re.findall(r'data-col="(\w+)">([^<]*)<', row))


def test_reviews_and_active_learners_per_day(history):
    cohort = progress.cohort(history.now)
    today = timezone.localdate(history.now)
    by_day = {d.day: (d.reviews, d.learners) for d in cohort.days}
    assert len(by_day) == 30
    assert by_day[today - timedelta(days=9)] == (2, 1)
    assert by_day[today - timedelta(days=1)] == (2, 1)
    assert by_day[today] == (1, 1)
    assert sum(r for r, _ in by_day.values()) == 9


def test_overall_retention_and_backlog_on_the_page(client, history):
    cohort = progress.cohort(history.now)
    assert cohort.retention.young == Ratio(2, 3)
    assert cohort.retention.mature == Ratio(2, 3)
    client.force_login(history.staff)
    html = client.get("/progress/learners/").content.decode()
    assert re.search(r'data-figure="retention">66.7 %<', html)
    assert "4 of 6 reviews" in html
    assert re.search(r'data-figure="overdue">3<', html)
    assert "overdue cards of 2 learners" in html
    assert re.search(r'data-figure="learners">2<', html)


def test_the_learner_table_shows_reviews_retention_and_overdue_cards(client, history):
    client.force_login(history.staff)
    html = client.get("/progress/learners/").content.decode()
    assert learner_row(html, "ada") == {"reviews": "7", "retention": "80.0 %", "overdue": "2"}
    assert learner_row(html, "bob") == {"reviews": "2", "retention": "0.0 %", "overdue": "1"}
    assert f'href="/progress/learners/{history.ada.pk}/"' in html


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("", ["ada", "bob"]),  # last active first
        ("?sort=last_active&order=asc", ["bob", "ada"]),
        ("?sort=overdue&order=asc", ["bob", "ada"]),
        ("?sort=retention&order=desc", ["ada", "bob"]),
        ("?sort=name&order=desc", ["bob", "ada"]),
        ("?sort=nonsense", ["ada", "bob"]),
    ],
)
def test_the_learner_table_sorts_by_each_column(client, history, query, order):
    client.force_login(history.staff)
    html = client.get(f"/progress/learners/{query}").content.decode()
    assert re.findall(r'<tr data-learner="(\w+)">', html) == order


def test_the_drill_down_is_the_learners_own_page_plus_fsrs_health(client, history):
    client.force_login(history.staff)
    html = client.get(f"/progress/learners/{history.ada.pk}/").content.decode()
    assert "Progress of ada" in html
    assert re.search(r'data-figure="streak">4<', html)
    assert "Not fitted yet: 7 reviews so far; fitting needs 400." in html
