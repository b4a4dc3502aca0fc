"""Who may open which progress page: learners their own, teachers their decks, staff all."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from quiz.models import Deck, Source
from quiz.roles import Action, Role, roles_of
from tests.roles.expected import expected_status

pytestmark = pytest.mark.django_db

PAGES = {
    "own": ("/progress/", Action.OWN_PROGRESS),
    "drill-down": ("/progress/learners/{ada}/", Action.LEARNERS),
    "cohort": ("/progress/learners/", Action.LEARNERS),
    "deck index": ("/progress/decks/", Action.DECK_INSIGHTS),
    "deck": ("/progress/decks/tiny/", Action.READ_DECK),
    "reviews csv": ("/progress/export/reviews.csv", Action.LEARNERS),
    "runs csv": ("/progress/export/runs.csv", Action.LEARNERS),
}
L, T, S = Role.LEARNER, Role.TEACHER, Role.STAFF
# Who holds which roles; the expected status of each page comes from quiz.roles' table.
HOLDS = {
    "ada": frozenset({L}),
    "bob": frozenset({L}),
    "teacher": frozenset({L, T}),
    "staff": frozenset({L, T, S}),
    "staff group": frozenset({L, T, S}),
    "anonymous": frozenset(),
}


@pytest.mark.parametrize("who", list(HOLDS))
def test_each_role_gets_exactly_its_pages(client, history, who):
    users = {"ada": history.ada, "bob": history.bob, "teacher": history.teacher,
             "staff": history.staff}  # fmt: skip
    if who == "staff group":
        users[who] = User.objects.create_user("sally")
        users[who].groups.add(Group.objects.get_or_create(name="staff")[0])
    user = users.get(who, AnonymousUser())
    assert roles_of(user) == HOLDS[who]
    if user.is_authenticated:
        client.force_login(user)
    # "tiny" is loaded from a file; a deck a teacher may not read is not found among theirs.
    expected = {
        page: expected_status(action, HOLDS[who], history.deck.source, refused_deck=404)
        for page, (url, action) in PAGES.items()
    }
    got = {
        page: client.get(url.format(ada=history.ada.pk)).status_code
        for page, (url, action) in PAGES.items()
    }
    assert got == expected


def test_anonymous_visitors_are_sent_to_log_in(client, history):
    response = client.get("/progress/")
    assert response["Location"].startswith("/accounts/login/?next=/progress/")


def test_a_teacher_cannot_open_a_browser_deck_someone_else_owns(client, history):
    other = User.objects.create_user("olga")
    Deck.objects.filter(pk=history.deck.pk).update(owner=other, source=Source.BROWSER)
    client.force_login(history.teacher)
    assert client.get("/progress/decks/tiny/").status_code == 404
    assert "tiny" not in client.get("/progress/decks/").content.decode()


def test_a_co_author_sees_the_deck_they_help_write(client, history):
    history.deck.owner = User.objects.create_user("olga")
    history.deck.source = Source.BROWSER
    history.deck.save()
    history.deck.coauthors.add(history.teacher)
    client.force_login(history.teacher)
    assert client.get("/progress/decks/tiny/").status_code == 200


def test_only_staff_may_fit_parameters(client, history):
    client.force_login(history.teacher)
    assert client.post(f"/progress/learners/{history.ada.pk}/fit/").status_code == 403
    client.force_login(history.staff)
    assert client.get(f"/progress/learners/{history.ada.pk}/fit/").status_code == 405


def test_navigation_links_follow_the_role(client, history):
    client.force_login(history.ada)
    html = client.get("/progress/").content.decode()
    assert 'href="/progress/"' in html
    assert 'href="/progress/decks/"' not in html and 'href="/progress/learners/"' not in html
    client.force_login(history.teacher)
    html = client.get("/progress/").content.decode()
    assert 'href="/progress/decks/"' in html and 'href="/progress/learners/"' not in html
    client.force_login(history.staff)
    html = client.get("/progress/").content.decode()
    assert 'href="/progress/decks/"' in html and 'href="/progress/learners/"' in html
