"""Times in the learner's own zone, in their language's formats: Russian dates with the month
in the genitive and a 24-hour clock, the zone named where another zone could be meant."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation

from quiz.models import Card, CardText, LearnerSettings, Progress, Review, Run
from quiz.runs.timeline import seconds_text
from quiz.study.scheduling import interval_label
from tests.study.factories import make_deck

pytestmark = pytest.mark.django_db

# 10:00 UTC is 15:00 in Yekaterinburg (UTC+5 all year, "+05") and 5:00 in New York ("EST").
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def ada(tmp_path):
    """A learner in Yekaterinburg whose next card is due at 15:07 UTC, 20:07 her time, with a
    code check at 09:30 UTC and a review at 09:45 UTC."""
    deck = make_deck(tmp_path, 1)
    ada = User.objects.create_user("ada")
    LearnerSettings.objects.create(user=ada, time_zone="Asia/Yekaterinburg")
    card = deck.cards.get()
    Progress.objects.create(
        user=ada, card=card, state=2, stability=10, difficulty=5,
        due=datetime(2026, 12, 3, 15, 7, tzinfo=UTC), last_review=NOW - timedelta(days=3),
    )  # fmt: skip
    Review.objects.create(
        user=ada, card=card, rating=3, reviewed_at=datetime(2026, 12, 3, 9, 45, tzinfo=UTC)
    )
    code = Card.objects.create(deck=deck, key="code-1", kind="code", position=2)
    CardText.objects.create(card=code, language="en", content={"front": "Fix the loop"})
    Progress.objects.create(
        user=ada, card=code, state=2, stability=10, difficulty=5, due=NOW + timedelta(days=7),
        last_review=NOW - timedelta(days=3),
    )  # fmt: skip
    Run.objects.create(
        user=ada, card=code, code="x", kind="check", status="done", passed=True,
        created_at=datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
    )  # fmt: skip
    return ada


def page(client, user, path: str, language: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with time_machine.travel(NOW, tick=False):
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "(Dec. 3, 2026, 8:07 p.m. +05)"), ("ru", "(3 декабря 2026 г. 20:07 +05)")],
)
def test_the_next_due_time_is_in_the_learners_zone_and_named(client, ada, language, shown):
    html = page(client, ada, "/decks/tiny/study/", language)
    assert shown in html


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ['middle">December 3</text>', 'class="axis">Dec</text>', "<td>December 2026</td>",
                "12/03/2026 2:30 p.m. +05"]),
        ("ru", ['middle">3 декабря</text>', 'class="axis">дек</text>', "<td>Декабрь 2026 г.</td>",
                "03.12.2026 14:30 +05"]),
    ],
)  # fmt: skip
def test_my_progress_dates_are_in_the_learners_zone_and_language(client, ada, language, texts):
    html = page(client, ada, "/progress/", language)
    for text in texts:
        assert text in html
    # No English month and no 12-hour clock leaks into the Russian page.
    if language == "ru":
        for english in ("Dec", "December", "p.m.", "a.m."):
            assert english not in html.replace('lang="en"', "")


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "12/03/2026 4:45 a.m. EST"), ("ru", "03.12.2026 04:45 EST")]
)
def test_the_cohort_shows_last_activity_in_the_staff_members_zone_with_its_name(
    client, ada, language, shown
):
    stan = User.objects.create_user("stan", is_staff=True)
    LearnerSettings.objects.create(user=stan, time_zone="America/New_York")
    assert shown in page(client, stan, "/progress/learners/", language)


def test_intervals_and_program_times_take_the_languages_decimal_comma():
    shown = datetime(2026, 12, 3, tzinfo=UTC)
    with translation.override("ru"):
        assert interval_label(shown, shown + timedelta(days=75)) == "2,5 мес"
        assert seconds_text(0.25) == "0,25 с"
    with translation.override("en"):
        assert interval_label(shown, shown + timedelta(days=75)) == "2.5mo"
        assert seconds_text(3.0) == "3 s"


def test_every_language_defines_every_named_format():
    """A name missing from a language would be read as a format string itself."""
    names = {}
    for code, _ in settings.LANGUAGES:
        module = importlib.import_module(f"quiz.formats.{code}.formats")
        names[code] = {name for name in vars(module) if name.endswith("_FORMAT")}
    custom = {name for defined in names.values() for name in defined} - {"MONTH_DAY_FORMAT"}
    for code, defined in names.items():
        assert custom <= defined, code
