"""A learner's day: their time zone and the hour their next day starts (4 a.m. by default)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User

from quiz.models import LearnerSettings, Progress, Review
from quiz.progress import figures
from quiz.study import service
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db

BRISBANE = ZoneInfo("Australia/Brisbane")  # UTC+10 all year


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BRISBANE)


def answer_next(client, deck) -> None:
    page = client.get(f"/decks/{deck.slug}/study/").content.decode()
    token = re.search(r"/study/([0-9a-f-]{36})/check/", page).group(1)
    client.post(f"/study/{token}/check/")
    assert client.post(f"/study/{token}/answer/", {"rating": 3}).status_code in (200, 302)


def new_today(client) -> int:
    page = client.get("/decks/").content.decode()
    return int(re.search(r'data-count="new">(\d+)<', page).group(1))


def test_daily_limits_reset_at_4_am_local_for_a_learner_in_utc_plus_10(client, tmp_path):
    deck = make_deck(tmp_path, 6, new_per_day=2)
    learner = User.objects.create_user("ayla")
    LearnerSettings.objects.create(user=learner, time_zone="Australia/Brisbane", day_starts_at=4)
    client.force_login(learner)

    with time_machine.travel(local(2026, 3, 11, 1, 30), tick=False):  # 15:30 UTC, March 10
        assert new_today(client) == 2
        answer_next(client, deck)
        answer_next(client, deck)
        assert new_today(client) == 0
    with time_machine.travel(local(2026, 3, 11, 3, 59), tick=False):
        assert new_today(client) == 0
    with time_machine.travel(local(2026, 3, 11, 4, 0), tick=False):  # 18:00 UTC
        assert new_today(client) == 2
    assert Review.objects.filter(user=learner).count() == 2


def test_a_learner_on_utc_with_the_same_answers_gets_new_cards_at_4_utc_not_4_brisbane(
    client, tmp_path
):
    deck = make_deck(tmp_path, 6, new_per_day=2)
    learner = User.objects.create_user("ugo")
    client.force_login(learner)  # no settings: UTC, the day starts at 4 a.m.
    with time_machine.travel(datetime(2026, 3, 10, 15, 30, tzinfo=UTC), tick=False):
        answer_next(client, deck)
        answer_next(client, deck)
    with time_machine.travel(datetime(2026, 3, 10, 18, 0, tzinfo=UTC), tick=False):
        assert new_today(client) == 0
    with time_machine.travel(datetime(2026, 3, 11, 4, 0, tzinfo=UTC), tick=False):
        assert new_today(client) == 2


def review_at(learner, card, moment: datetime) -> None:
    Review.objects.create(user=learner, card=card, rating=3, reviewed_at=moment)


def test_heatmap_streak_and_forecast_cut_days_at_the_learners_day_start(tmp_path):
    deck = make_deck(tmp_path, 3)
    cards = list(deck.cards.order_by("position"))
    learner = User.objects.create_user("ayla")
    LearnerSettings.objects.create(user=learner, time_zone="Australia/Brisbane", day_starts_at=4)
    # 02:00 local on the 11th still belongs to the 10th; 05:00 on the 11th is the 11th.
    review_at(learner, cards[0], local(2026, 3, 11, 2, 0))
    review_at(learner, cards[1], local(2026, 3, 11, 5, 0))
    review_at(learner, cards[2], local(2026, 3, 12, 3, 0))
    Progress.objects.create(
        user=learner, card=cards[0], state=2, stability=5, difficulty=5,
        due=local(2026, 3, 13, 3, 30), last_review=local(2026, 3, 11, 2, 0),
    )  # fmt: skip

    shown = figures.learner_progress(learner, now=local(2026, 3, 12, 3, 30))

    assert shown.today == date(2026, 3, 11)
    assert shown.review_days == {date(2026, 3, 10): 1, date(2026, 3, 11): 2}
    assert shown.streak == 2
    assert dict(shown.forecast)[date(2026, 3, 12)] == 1  # due 03:30 on the 13th: the 12th's day


def test_deck_statuses_count_from_the_learners_day_start(tmp_path):
    deck = make_deck(tmp_path, 3, new_per_day=3)
    learner = User.objects.create_user("ayla")
    LearnerSettings.objects.create(user=learner, time_zone="Australia/Brisbane", day_starts_at=6)
    review = Review.objects.create(
        user=learner, card=deck.cards.first(), rating=3, reviewed_at=local(2026, 3, 11, 5, 0)
    )
    (before,) = service.deck_statuses(learner, [deck], now=local(2026, 3, 11, 5, 59))
    (after,) = service.deck_statuses(learner, [deck], now=local(2026, 3, 11, 6, 0))
    assert before.new_today == 1 and after.new_today == 0
    assert review.pk


def test_sign_up_keeps_the_browsers_time_zone_and_falls_back_to_utc(client):
    password = "a-long-enough-password-42"
    for name, sent, kept in [("vlad", "Asia/Vladivostok", "Asia/Vladivostok"),
                             ("nobody", "Mars/Olympus", "UTC")]:  # fmt: skip
        client.post(
            "/accounts/signup/",
            {"username": name, "password1": password, "password2": password, "time_zone": sent},
        )
        client.logout()
        assert LearnerSettings.objects.get(user__username=name).time_zone == kept


def test_the_settings_page_validates_the_zone_and_pages_show_times_in_it(client, tmp_path):
    deck = make_deck(tmp_path, 1)
    learner = User.objects.create_user("ayla")
    client.force_login(learner)
    form = {"time_zone": "Atlantis/Capital", "day_starts_at": 5, "load_balancing": "on"}

    refused = client.post("/settings/", form)
    assert refused.status_code == 200
    assert not LearnerSettings.objects.filter(user=learner).exists()

    form["time_zone"] = "Asia/Tokyo"
    assert client.post("/settings/", {**form, "easy_days": ["5", "6"]}).status_code == 302
    saved = LearnerSettings.objects.get(user=learner)
    assert (saved.time_zone, saved.day_starts_at, saved.easy_days) == ("Asia/Tokyo", 5, [5, 6])
    assert not saved.use_fitted_parameters

    review_at(learner, deck.cards.get(), datetime(2026, 3, 10, 15, 30, tzinfo=UTC))
    body = b"".join(client.get("/progress/my-reviews.csv").streaming_content).decode()
    (row,) = list(csv.DictReader(io.StringIO(body)))
    assert row["reviewed_at"] == "2026-03-11T00:30:00+09:00"
    assert row["card"] == deck.cards.get().key


def test_staff_figures_stay_in_utc_and_say_so(client, tmp_path):
    deck = make_deck(tmp_path, 1)
    ada = User.objects.create_user("ada")
    staff = User.objects.create_user("stan", is_staff=True)
    LearnerSettings.objects.create(user=staff, time_zone="Pacific/Kiritimati")  # UTC+14
    now = datetime.now(UTC)
    review_at(ada, deck.cards.get(), now.replace(hour=1, minute=0) - timedelta(days=1))
    client.force_login(staff)

    cohort = figures.cohort(now=now)
    assert cohort.days[-1].day == now.date()
    assert cohort.days[-2].reviews == 1
    assert "UTC days" in client.get("/progress/learners/").content.decode()
