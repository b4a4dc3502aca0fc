"""Every route for six people: anonymous, two learners, two teachers and staff.

Role-gated pages take their expected status from quiz.roles' table (tests/roles/expected.py);
a learner's own things (a shown card, a run) answer that learner only, and 404 to everyone else,
staff included. A route missing from the matrix fails the first test, so new routes are added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from quiz.authoring import service as authoring
from quiz.authoring.service import CardDraft
from quiz.decks.loader import load_decks
from quiz.models import CardMark, Deck, Presentation, Run
from quiz.roles import TEACHER_GROUP, Action, roles_of
from tests.conftest import basic_deck
from tests.roles.expected import expected_status

PEOPLE = ["anonymous", "ada", "bob", "olga", "tess", "stan"]
LEARNERS = {"ada", "bob"}


@dataclass
class World:
    users: dict[str, Any]
    browser_deck: Deck
    file_deck: Deck
    token: str
    run_id: str
    mark_id: int

    def holds(self, who: str, deck: Deck | None = None) -> frozenset:
        return roles_of(self.users.get(who, AnonymousUser()), deck)


@pytest.fixture
def world(tmp_path, django_user_model) -> World:
    teachers = Group.objects.get(name=TEACHER_GROUP)

    def user(name: str, teacher: bool = False, staff: bool = False) -> Any:
        made = django_user_model.objects.create_user(name, is_staff=staff, is_superuser=staff)
        if teacher:
            made.groups.add(teachers)
        return made

    users = {
        "ada": user("ada"),
        "bob": user("bob"),
        "olga": user("olga", teacher=True),
        "tess": user("tess", teacher=True),
        "stan": user("stan", staff=True),
    }
    (tmp_path / "tiny.en.md").write_text(basic_deck(2), encoding="utf-8")
    load_decks([tmp_path])
    browser_deck = authoring.create_deck(
        users["olga"], "olgas", {"en": {"title": "Olga's", "description": ""}}
    )
    draft = CardDraft(
        key="await", kind="basic", tags=[], contents={"en": {"front": "Q", "back": "A"}}
    )
    authoring.save_card(browser_deck, None, draft, publish=True)
    file_deck = Deck.objects.get(slug="tiny")
    ada = Client()
    ada.force_login(users["ada"])
    assert ada.get("/decks/tiny/study/").status_code == 200
    shown = Presentation.objects.get(user=users["ada"])
    run = Run.objects.create(
        user=users["ada"], card=shown.card, presentation=shown, code="print(1)", kind="run",
        status=Run.Status.DONE, verdict=None,
    )  # fmt: skip
    # Ada flagged and suspended the deck's other card while studying.
    other = file_deck.cards.exclude(pk=shown.card_id).first()
    mark = CardMark.objects.create(user=users["ada"], card=other, flagged=True, suspended=True)
    return World(users, browser_deck, file_deck, str(shown.token), str(run.run_id), mark.pk)


def own(owner_status: int) -> Callable[[World, str], int]:
    """A learner's own thing: the owner gets `owner_status`, anyone else 404, anonymous 302."""
    return lambda w, who: 302 if who == "anonymous" else owner_status if who == "ada" else 404


def logged_in(status: int) -> Callable[[World, str], int]:
    return lambda w, who: 302 if who == "anonymous" else status


def anyone(status: int) -> Callable[[World, str], int]:
    return lambda w, who: status


def rule(action: Action, deck: str | None = None, refused_deck: int = 403, ok: int = 200):
    def expected(w: World, who: str) -> int:
        target = {"olgas": w.browser_deck, "tiny": w.file_deck}.get(deck or "")
        holds = w.holds(who, target)
        source = target.source if target else None
        status = expected_status(action, holds, source, refused_deck=refused_deck)
        return ok if status == 200 else status

    return expected


def admin(w: World, who: str) -> int:
    return 200 if who == "stan" else 302


# name: (method, address, expected status for each person)
MATRIX: dict[str, tuple[str, str, Callable[[World, str], int]]] = {
    "home": ("get", "/", anyone(302)),
    "signup": ("get", "/accounts/signup/", anyone(200)),
    "login": ("get", "/accounts/login/", anyone(200)),
    "logout": ("post", "/accounts/logout/", anyone(302)),
    "password_change": ("get", "/accounts/password_change/", logged_in(200)),
    "password_change_done": ("get", "/accounts/password_change/done/", logged_in(200)),
    "password_reset": ("get", "/accounts/password_reset/", anyone(200)),
    "password_reset_done": ("get", "/accounts/password_reset/done/", anyone(200)),
    "password_reset_confirm": ("get", "/accounts/reset/MQ/bad-token/", anyone(200)),
    "password_reset_complete": ("get", "/accounts/reset/done/", anyone(200)),
    "set_language": ("post", "/i18n/setlang/", anyone(302)),
    "decks": ("get", "/decks/", logged_in(200)),
    "study": ("get", "/decks/tiny/study/", logged_in(200)),
    "undo": ("post", "/decks/tiny/undo/", logged_in(302)),
    # Posted empty; nobody but the learner learns the card was shown.
    "check": ("post", "/study/{token}/check/", own(200)),  # a basic card: revealed
    "answer": ("post", "/study/{token}/answer/", own(400)),
    "code_submit": ("post", "/study/{token}/code/", own(404)),  # not a code card
    "run_status": ("get", "/runs/{run_id}/", own(302)),
    "reference_status": ("get", "/study/{token}/reference/", own(404)),  # not a code card
    "marked_cards": ("get", "/cards/marked/", logged_in(200)),
    "progress": ("get", "/progress/", rule(Action.OWN_PROGRESS)),
    "export_my_reviews": ("get", "/progress/my-reviews.csv", logged_in(200)),
    "set_retention": ("post", "/progress/retention/tiny/", logged_in(302)),  # empty: the default
    "learner_settings": ("get", "/settings/", logged_in(200)),
    "anki_download": ("get", "/decks/tiny/anki.apkg", logged_in(200)),
    "cohort": ("get", "/progress/learners/", rule(Action.LEARNERS)),
    "learner_progress": ("get", "/progress/learners/{ada}/", rule(Action.LEARNERS)),
    "fit_parameters": ("post", "/progress/learners/{ada}/fit/", rule(Action.LEARNERS, ok=302)),
    "deck_insights_index": ("get", "/progress/decks/", rule(Action.DECK_INSIGHTS)),
    "deck_insights": ("get", "/progress/decks/olgas/", rule(Action.READ_DECK, "olgas", 404)),
    "export_reviews": ("get", "/progress/export/reviews.csv", rule(Action.LEARNERS)),
    "export_runs": ("get", "/progress/export/runs.csv", rule(Action.LEARNERS)),
    "author-home": ("get", "/author/", rule(Action.AUTHOR)),
    "author-deck-new": ("get", "/author/decks/new/", rule(Action.AUTHOR)),
    "author-upload": ("get", "/author/upload/", rule(Action.AUTHOR)),
    "author-deck": ("get", "/author/decks/olgas/", rule(Action.READ_DECK, "olgas")),
    "author-deck-edit": ("get", "/author/decks/olgas/edit/", rule(Action.EDIT_DECK, "olgas")),
    "author-deck-delete": ("get", "/author/decks/olgas/delete/", rule(Action.EDIT_DECK, "olgas")),
    "author-deck-copy": ("get", "/author/decks/tiny/copy/", rule(Action.READ_DECK, "tiny")),
    "author-deck-download": (
        "get",
        "/author/decks/olgas/download/",
        rule(Action.READ_DECK, "olgas"),
    ),  # fmt: skip
    "author-deck-file": (
        "get",
        "/author/decks/tiny/download/en.md",
        rule(Action.READ_DECK, "tiny"),
    ),  # fmt: skip
    "author-card-new": (
        "get",
        "/author/decks/olgas/cards/new/code/",
        rule(Action.EDIT_DECK, "olgas"),
    ),  # fmt: skip
    "author-card-preview": (
        "post",
        "/author/decks/olgas/preview/basic/",
        rule(Action.EDIT_DECK, "olgas"),
    ),  # fmt: skip
    "author-card-run": ("post", "/author/decks/olgas/run/", rule(Action.EDIT_DECK, "olgas")),
    # Someone else's proof, or none: not found even for the deck's editors.
    "author-card-run-status": (
        "get",
        "/author/decks/olgas/run/00000000-0000-4000-8000-000000000000/",
        rule(Action.EDIT_DECK, "olgas", ok=404),
    ),
    "author-card-edit": (
        "get",
        "/author/decks/olgas/cards/await/",
        rule(Action.EDIT_DECK, "olgas"),
    ),  # fmt: skip
    "author-card-delete": (
        "get",
        "/author/decks/olgas/cards/await/delete/",
        rule(Action.EDIT_DECK, "olgas"),
    ),  # fmt: skip
    "admin:index": ("get", "/admin/", admin),
    "admin:quiz_run_changelist": ("get", "/admin/quiz/run/", admin),
    "admin:quiz_review_changelist": ("get", "/admin/quiz/review/", admin),
    "admin:axes_accessattempt_changelist": ("get", "/admin/axes/accessattempt/", admin),
    # Last: they change what the learner is shown.
    "flag": ("post", "/study/{token}/flag/", own(302)),
    "bury": ("post", "/study/{token}/bury/", own(302)),
    "suspend": ("post", "/study/{token}/suspend/", own(302)),
    "unsuspend": ("post", "/decks/tiny/unsuspend/", logged_in(302)),
    "study_more": ("post", "/decks/tiny/more/", logged_in(302)),
    "unflag_card": ("post", "/cards/marks/{mark}/unflag/", own(302)),
    "unsuspend_card": ("post", "/cards/marks/{mark}/unsuspend/", own(302)),
}


def route_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner == "admin":
                names.add("admin:index")  # the admin is covered by its own pages below
                continue
            names |= route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_the_matrix_covers_every_route():
    assert route_names(get_resolver()) <= set(MATRIX)


@pytest.mark.django_db
@pytest.mark.parametrize("who", PEOPLE)
def test_every_route_answers_each_person_as_the_rules_say(client, world, who):
    user = world.users.get(who)
    if user is not None:
        client.force_login(user)
    got, expected = {}, {}
    for name, (method, address, status) in MATRIX.items():
        url = address.format(
            token=world.token, run_id=world.run_id, ada=world.users["ada"].pk, mark=world.mark_id
        )
        got[name] = getattr(client, method)(url).status_code
        expected[name] = status(world, who)
        if name == "logout" and user is not None:
            client.force_login(user)  # logging out was the point of that route
    assert got == expected
