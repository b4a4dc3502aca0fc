"""Template filters for the Author area."""

from __future__ import annotations

from typing import Any

from django import template

from quiz.roles import Action, allows

register = template.Library()


@register.filter
def is_author(user: Any) -> bool:
    """Whether the nav shows the Author link (teachers and staff)."""
    return allows(user, Action.AUTHOR)
