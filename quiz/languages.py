"""Picking the language of a text: the reader's, else English, else whichever there is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from django.utils.translation import get_language

T = TypeVar("T")


def pick(by_language: Mapping[str, T], language: str | None = None) -> T:
    """The entry in `language` (default: the current one), else English, else the first there is.

    `by_language` maps language codes ("en", "ru") to anything: a card's texts, a message's words.
    """
    short = (language or get_language() or "en").split("-")[0]
    for candidate in (short, "en"):
        if candidate in by_language:
            return by_language[candidate]
    for first in by_language.values():
        return first
    raise LookupError("no text in any language")
