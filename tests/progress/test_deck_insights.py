"""A teacher's deck page: learners, per-card reviews, lapse rate, answer time, failing checks."""

from __future__ import annotations

import re

import pytest

from quiz.progress import figures as progress
from quiz.progress.figures import Ratio

pytestmark = pytest.mark.django_db


def cell(html: str, card: str, column: str) -> str:
    row = re.search(rf'<tr data-card="{card}">(.*?)</tr>', html, re.S).group(1)
    text = re.search(rf'data-col="{column}">(.*?)</td>', row, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def test_per_card_reviews_lapse_rate_and_answer_time(client, history):
    client.force_login(history.teacher)
    html = client.get("/progress/decks/tiny/").content.decode()
    assert cell(html, "card-1", "reviews") == "4"
    assert cell(html, "card-1", "lapses") == "100.0 % 2/2"
    assert cell(html, "card-1", "seconds") == "5.0 s"
    assert cell(html, "card-2", "lapses") == "0.0 % 0/2"
    assert cell(html, "card-4", "lapses") == "—"  # no review of it in review state
    assert cell(html, "code-1", "reviews") == "0"


def test_the_share_of_graded_attempts_failing_each_check(client, history):
    insights = progress.deck_insights(history.deck, since=None)
    code = next(c for c in insights.cards if c.card.key == "code-1")
    shares = {check.name: check.ratio for check in code.checks}
    assert shares == {"output": Ratio(2, 3), "no_blocking": Ratio(1, 3)}
    assert code.most_failed.name == "output"
    client.force_login(history.teacher)
    html = client.get("/progress/decks/tiny/").content.decode()
    assert cell(html, "code-1", "checks") == "output: 66.7 % (2/3) no_blocking: 33.3 % (1/3)"


def test_learners_and_active_learners_with_names_only(client, history):
    client.force_login(history.teacher)
    html = client.get("/progress/decks/tiny/").content.decode()
    assert re.search(r'data-figure="learners">2<', html)
    assert re.search(r'data-figure="active">1<', html)  # Bob last studied 9 days ago
    assert "ada, bob" in html
    assert "/progress/learners/" not in html  # no way to a learner's own figures


def test_hardest_cards_come_by_lapse_rate_and_link_to_the_card_editor(client, history):
    client.force_login(history.teacher)
    html = client.get("/progress/decks/tiny/").content.decode()
    hardest = re.findall(r'<li data-card="([^"]+)"><a href="([^"]+)"', html)
    assert [key for key, _ in hardest] == ["card-1", "card-2", "card-3"]
    assert hardest[0][1] == "/author/decks/tiny/cards/card-1/"


def test_the_period_limits_the_figures_to_recent_reviews(client, history):
    client.force_login(history.teacher)
    html = client.get("/progress/decks/tiny/?days=7").content.decode()
    # Bob's lapse and Ada's first review of card-1 are older than 7 days.
    assert cell(html, "card-1", "reviews") == "2"
    assert cell(html, "card-1", "lapses") == "100.0 % 1/1"
    assert cell(html, "card-1", "seconds") == "7.0 s"
