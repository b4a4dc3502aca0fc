"""Who may do what: the roles, the one table of rules, and the decorator every role-gated view uses.

Roles: everyone logged in is a learner; teachers are the "teacher" group; staff are Django staff
users and the "staff" group, and may do all a teacher may; a co-author is a role toward one deck,
held by its owner and by the teachers it names as co-authors. A user's groups are read once and
kept on the user object (the navigation asks on every page).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from quiz.models import Deck, Source

TEACHER_GROUP = "teacher"
STAFF_GROUP = "staff"

User = AbstractBaseUser | AnonymousUser
View = Callable[..., HttpResponse]


class Role(enum.StrEnum):
    LEARNER = "learner"
    TEACHER = "teacher"
    CO_AUTHOR = "co-author"
    STAFF = "staff"


class Action(enum.StrEnum):
    OWN_PROGRESS = "see one's own progress"
    AUTHOR = "use the Author area"
    DECK_INSIGHTS = "list the decks' insights"
    LEARNERS = "see every learner: cohort, a learner's page, fitting, exports"
    READ_DECK = "read a deck: open, copy and download it, see its insights"
    EDIT_DECK = "edit a deck and its cards"


@dataclass(frozen=True)
class Rule:
    """Who may: a user holding `role`; on a deck, who also holds one of the deck's roles.

    `browser_deck` is for decks written in the browser, `file_deck` for those loaded from
    content/ (edited in git); a rule without them is not about one deck.
    """

    role: Role
    browser_deck: frozenset[Role] | None = None
    file_deck: frozenset[Role] | None = None

    @property
    def per_deck(self) -> bool:
        return self.browser_deck is not None

    def admits(self, holds: Callable[[Role], bool], source: str | None = None) -> bool:
        """Whether the rule lets in one who holds the roles `holds` (on a deck from `source`)."""
        if not holds(self.role):
            return False
        if not self.per_deck:
            return True
        deck_roles = self.file_deck if source == Source.FILE else self.browser_deck
        # The co-author question is the one that costs a query: ask it last.
        return any(holds(role) for role in sorted(deck_roles or (), key=Role.CO_AUTHOR.__eq__))


CO_AUTHORS_AND_STAFF = frozenset({Role.CO_AUTHOR, Role.STAFF})

RULES: dict[Action, Rule] = {
    Action.OWN_PROGRESS: Rule(Role.LEARNER),
    Action.AUTHOR: Rule(Role.TEACHER),
    Action.DECK_INSIGHTS: Rule(Role.TEACHER),
    Action.LEARNERS: Rule(Role.STAFF),
    # Every teacher reads the decks loaded from files (the whole team's); nobody edits them here.
    Action.READ_DECK: Rule(Role.TEACHER, CO_AUTHORS_AND_STAFF, frozenset({Role.TEACHER})),
    Action.EDIT_DECK: Rule(Role.TEACHER, CO_AUTHORS_AND_STAFF, frozenset()),
}


def group_names(user: User) -> frozenset[str]:
    """The user's groups, read once per user object (so once per request)."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_group_names"):
        user._group_names = frozenset(user.groups.values_list("name", flat=True))  # type: ignore[union-attr]
    return user._group_names  # type: ignore[union-attr]


def has_role(user: User, role: Role, deck: Deck | None = None) -> bool:
    """Whether `user` holds `role` (staff hold the teacher's too); co-author asks about `deck`."""
    if not user.is_authenticated:
        return False
    if role == Role.LEARNER:
        return True
    if role == Role.STAFF:
        return bool(user.is_staff) or STAFF_GROUP in group_names(user)  # type: ignore[union-attr]
    if role == Role.TEACHER:
        return has_role(user, Role.STAFF) or TEACHER_GROUP in group_names(user)
    if deck is None:
        raise ValueError("co-author is a role toward one deck: which deck?")
    return deck.owner_id == user.pk or deck.coauthors.filter(pk=user.pk).exists()


def roles_of(user: User, deck: Deck | None = None) -> frozenset[Role]:
    """Every role `user` holds (co-author only toward a `deck`, when one is given)."""
    asked = [role for role in Role if deck is not None or role != Role.CO_AUTHOR]
    return frozenset(role for role in asked if has_role(user, role, deck))


def allows(user: User, action: Action, deck: Deck | None = None) -> bool:
    """Whether the rules let `user` do `action` (on `deck`, for the rules about one deck)."""
    rule = RULES[action]
    if rule.per_deck != (deck is not None):
        raise ValueError(f"{action!r} is {'' if rule.per_deck else 'not '}about one deck")
    return rule.admits(lambda role: has_role(user, role, deck), deck.source if deck else None)


def can_edit(user: User, deck: Deck) -> bool:
    return allows(user, Action.EDIT_DECK, deck)


def can_view(user: User, deck: Deck) -> bool:
    return allows(user, Action.READ_DECK, deck)


def editable_decks(user: User) -> QuerySet[Deck]:
    """`can_edit` for every deck at once: the browser decks `user` co-authors, all for staff."""
    decks = Deck.objects.filter(source=Source.BROWSER)
    if has_role(user, Role.STAFF):
        return decks
    if not has_role(user, Role.TEACHER):
        return decks.none()
    return decks.filter(Q(owner=user) | Q(coauthors=user)).distinct()


def readable_decks(user: User) -> QuerySet[Deck]:
    """`can_view` for every deck at once: the decks loaded from files and the editable ones."""
    decks = Deck.objects.all()
    if has_role(user, Role.STAFF):
        return decks
    if not has_role(user, Role.TEACHER):
        return decks.none()
    return decks.filter(Q(source=Source.FILE) | Q(pk__in=editable_decks(user)))


def teachers() -> QuerySet[Any]:
    """The members of the teacher group: who may be named a deck's co-author."""
    return get_user_model().objects.filter(groups__name=TEACHER_GROUP)


def role_required(role: Role) -> Callable[[View], View]:
    """Log in first (anonymous visitors are sent to the login page); without `role`, a 403."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


teacher_required = role_required(Role.TEACHER)
staff_required = role_required(Role.STAFF)
