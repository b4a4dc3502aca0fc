"""Wording a runner message: the one place a message from a verdict becomes text to show."""

from __future__ import annotations

from quiz.languages import pick
from quiz.runs.verdicts import Message


def word(message: Message | str | None, language: str | None = None) -> str:
    """A verdict's message in `language` (default: the reader's), falling back to English.

    A stored run's message has its text in each language ({en, ru}). A message given as a code and
    its values ({code, params}) has no wording in the app yet, so it shows as its code.
    """
    if not isinstance(message, dict):
        return message or ""
    if "code" in message:
        return str(message["code"])
    texts = {lang: text for lang, text in message.items() if text}
    return str(pick(texts, language)) if texts else ""
