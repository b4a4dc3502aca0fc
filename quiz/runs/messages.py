"""Wording a runner message: the one place a message from a verdict becomes text to show."""

from __future__ import annotations

from django.utils import translation

from quiz.languages import pick
from quiz.runs.verdicts import Message
from runner.messages import fill, is_message


def word(message: Message | str | None, language: str | None = None) -> str:
    """A verdict's message in `language` (default: the reader's).

    The runner gives a code and its values ({code, params}); its English template is translated
    through the catalog (runner/messages.py marks every template for makemessages). Runs stored
    before the runner gave codes keep their text in each language ({en, ru}).
    """
    if not isinstance(message, dict):
        return message or ""
    if is_message(message):
        with translation.override(language or translation.get_language()):
            return fill(message, translation.gettext)  # type: ignore[arg-type]
    texts = {lang: text for lang, text in message.items() if text}
    return str(pick(texts, language)) if texts else ""
