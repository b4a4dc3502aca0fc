"""What a page answers, read from quiz.roles' rule table: the permission matrices' expectations."""

from __future__ import annotations

from quiz.roles import RULES, Action, Role


def expected_status(
    action: Action, holds: frozenset[Role], source: str | None = None, *, refused_deck: int = 403
) -> int:
    """The status a page doing `action` answers someone holding `holds` (nothing: anonymous).

    Anonymous visitors are sent to log in; without the rule's role, a 403; refused by the rule
    about the deck (whose `source` it is), `refused_deck`; else the page.
    """
    rule = RULES[action]
    if not holds:
        return 302
    if rule.role not in holds:
        return 403
    if not rule.admits(holds.__contains__, source):
        return refused_deck
    return 200
