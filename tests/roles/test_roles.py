"""quiz.roles on its own: the table read out, the one group lookup, deck rules, the decorator."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from quiz import roles
from quiz.models import Deck, Source
from quiz.roles import RULES, Action, Role

L, T, C, S = Role.LEARNER, Role.TEACHER, Role.CO_AUTHOR, Role.STAFF
AREAS = [action for action in Action if not RULES[action].per_deck]
KINDS = {"learner": {L}, "teacher": {L, T}, "co-author": {L, T, C}, "staff": {L, T, S}}

# The table read out, as the README tells it: who may, (on a browser deck / a file deck).
WHO_MAY = {
    (Action.OWN_PROGRESS, None): {"learner", "teacher", "co-author", "staff"},
    (Action.AUTHOR, None): {"teacher", "co-author", "staff"},
    (Action.DECK_INSIGHTS, None): {"teacher", "co-author", "staff"},
    (Action.LEARNERS, None): {"staff"},
    (Action.READ_DECK, Source.BROWSER): {"co-author", "staff"},
    (Action.READ_DECK, Source.FILE): {"teacher", "co-author", "staff"},
    (Action.EDIT_DECK, Source.BROWSER): {"co-author", "staff"},
    (Action.EDIT_DECK, Source.FILE): set(),
}


def test_the_rule_table_says_who_may_what():
    got = {
        (action, source): {
            kind
            for kind, holds in KINDS.items()
            if RULES[action].admits(holds.__contains__, source)
        }
        for action, source in WHO_MAY
    }
    assert got == WHO_MAY
    assert {action for action, _ in WHO_MAY} == set(Action) == set(RULES)


def test_anonymous_visitors_hold_no_role_and_cost_no_query():
    # No django_db mark: a query here would fail the test.
    assert roles.roles_of(AnonymousUser()) == frozenset()
    assert not any(roles.allows(AnonymousUser(), action) for action in AREAS)


@pytest.fixture
def users(django_user_model: Any) -> dict[str, Any]:
    def user(name: str, *groups: str, is_staff: bool = False) -> Any:
        made = django_user_model.objects.create_user(name, is_staff=is_staff)
        made.groups.set([Group.objects.get_or_create(name=group)[0] for group in groups])
        return django_user_model.objects.get(pk=made.pk)  # as a request would load them

    return {
        "learner": user("lena"),
        "teacher": user("tess", roles.TEACHER_GROUP),
        "owner": user("olga", roles.TEACHER_GROUP),
        "coauthor": user("cora", roles.TEACHER_GROUP),
        "staff flag": user("stan", is_staff=True),
        "staff group": user("sally", roles.STAFF_GROUP),
    }


@pytest.mark.django_db
def test_the_groups_are_read_once_per_user(users, django_assert_num_queries):
    teacher = users["teacher"]
    with django_assert_num_queries(1):
        for _ in range(3):
            assert roles.roles_of(teacher) == {L, T}
            assert [roles.allows(teacher, action) for action in AREAS] == [
                RULES[action].role != S for action in AREAS
            ]


@pytest.mark.django_db
def test_staff_are_the_staff_flag_or_the_staff_group_and_do_all_teachers_do(users):
    assert roles.roles_of(users["staff flag"]) == {L, T, S}
    assert roles.roles_of(users["staff group"]) == {L, T, S}
    assert roles.roles_of(users["learner"]) == {L}


@pytest.fixture
def decks(users: dict[str, Any]) -> list[Deck]:
    mine = Deck.objects.create(slug="olgas", source=Source.BROWSER, owner=users["owner"])
    mine.coauthors.add(users["coauthor"])
    nobodys = Deck.objects.create(slug="orphan", source=Source.BROWSER)
    from_file = Deck.objects.create(slug="from-file", source=Source.FILE)
    return [mine, nobodys, from_file]


@pytest.mark.django_db
def test_the_owner_and_the_named_co_authors_co_author_a_deck(users, decks):
    mine = decks[0]
    co_authors = {name for name, user in users.items() if roles.has_role(user, C, mine)}
    assert co_authors == {"owner", "coauthor"}
    with pytest.raises(ValueError):
        roles.has_role(users["owner"], C)


@pytest.mark.django_db
def test_the_deck_querysets_say_what_the_rules_say_deck_by_deck(users, decks):
    for user in users.values():
        readable = {deck for deck in decks if roles.can_view(user, deck)}
        editable = {deck for deck in decks if roles.can_edit(user, deck)}
        assert set(roles.readable_decks(user)) == readable
        assert set(roles.editable_decks(user)) == editable
    assert {d.slug for d in roles.editable_decks(users["coauthor"])} == {"olgas"}
    assert {d.slug for d in roles.readable_decks(users["teacher"])} == {"from-file"}
    assert {d.slug for d in roles.editable_decks(users["staff group"])} == {"olgas", "orphan"}


@pytest.mark.django_db
def test_a_deck_rule_needs_a_deck_and_the_others_none(users, decks):
    with pytest.raises(ValueError):
        roles.allows(users["staff flag"], Action.EDIT_DECK)
    with pytest.raises(ValueError):
        roles.allows(users["staff flag"], Action.AUTHOR, decks[0])


@pytest.mark.django_db
def test_the_co_author_choices_are_the_teacher_group_only(users):
    assert set(roles.teachers()) == {users[name] for name in ("teacher", "owner", "coauthor")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("decorator", "who", "outcome"),
    [
        (roles.teacher_required, None, 302),
        (roles.teacher_required, "learner", PermissionDenied),
        (roles.teacher_required, "teacher", 200),
        (roles.teacher_required, "staff flag", 200),
        (roles.staff_required, None, 302),
        (roles.staff_required, "teacher", PermissionDenied),
        (roles.staff_required, "staff group", 200),
    ],
)
def test_one_decorator_sends_anonymous_visitors_to_log_in_and_refuses_the_rest(
    users, decorator, who, outcome
):
    view = decorator(lambda request: HttpResponse("the page"))
    request = RequestFactory().get("/somewhere/")
    request.user = users[who] if who else AnonymousUser()
    if outcome is PermissionDenied:
        with pytest.raises(PermissionDenied):
            view(request)
        return
    response = view(request)
    assert response.status_code == outcome
    if outcome == 302:
        assert response["Location"] == "/accounts/login/?next=/somewhere/"
