"""CSV exports of review logs and runs: streamed, filtered by days and deck."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.models import Review
from tests.progress.fixtures import review
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_every_review_is_exported_in_time_order(client, history):
    client.force_login(history.staff)
    response = client.get("/progress/export/reviews.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    exported = rows(response)
    assert len(exported) == 9
    first = exported[0]
    assert (first["learner"], first["deck"], first["card"], first["rating"]) == (
        "ada", "tiny", "card-1", "3"
    )  # fmt: skip
    assert first["duration_ms"] == "4000" and first["state_before"] == ""
    assert [r["reviewed_at"] for r in exported] == sorted(r["reviewed_at"] for r in exported)


def test_reviews_are_filtered_by_days_both_inclusive(client, history):
    today = timezone.localdate(history.now)
    client.force_login(history.staff)
    start, end = today - timedelta(days=3), today - timedelta(days=1)
    exported = rows(client.get(f"/progress/export/reviews.csv?start={start}&end={end}"))
    # Ada's reviews 3, 2 and 1 (two) days ago.
    assert len(exported) == 4
    assert {r["learner"] for r in exported} == {"ada"}


def test_reviews_are_filtered_by_deck(client, history, tmp_path):
    other = make_deck(tmp_path, 1, deck="other")
    review(history.bob, other.cards.get(), 1, 3, history.now, before=None)
    client.force_login(history.staff)
    exported = rows(client.get("/progress/export/reviews.csv?deck=other"))
    assert [(r["learner"], r["deck"]) for r in exported] == [("bob", "other")]
    assert len(rows(client.get("/progress/export/reviews.csv?deck=tiny"))) == 9


def test_runs_are_exported_with_their_failed_checks(client, history):
    client.force_login(history.staff)
    exported = rows(client.get("/progress/export/runs.csv?deck=tiny"))
    assert len(exported) == 5
    assert [r["failed_checks"] for r in exported[:3]] == ["output", "", "output;no_blocking"]
    assert [r["passed"] for r in exported[:3]] == ["false", "true", "false"]
    assert exported[4]["status"] == "error"


def test_a_bad_filter_is_refused_with_a_message(client, history):
    client.force_login(history.staff)
    response = client.get("/progress/export/reviews.csv?start=2026-05-02&end=2026-05-01")
    assert response.status_code == 400
    assert "start date is after the end date" in response.content.decode()
    response = client.get("/progress/export/runs.csv?deck=no-such-deck")
    assert response.status_code == 400


def test_a_name_a_spreadsheet_would_run_is_quoted(client, history):
    Review.objects.filter(user=history.bob).update(answer={"text": "=1+1"})
    history.bob.username = "=HYPERLINK(1)"
    history.bob.save()
    client.force_login(history.staff)
    exported = rows(client.get("/progress/export/reviews.csv"))
    assert "'=HYPERLINK(1)" in {r["learner"] for r in exported}
