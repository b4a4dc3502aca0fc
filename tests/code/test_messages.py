"""The runner's message codes read as sentences in the learner's language, through the catalog."""

from __future__ import annotations

import string

import pytest
from django.utils import translation

from quiz.runs.messages import word
from runner.messages import TEXT, english, message


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def has_words(template: str) -> bool:
    """Whether the template has words of its own besides its placeholders."""
    return any(ch.isalpha() for text, _, _, _ in string.Formatter().parse(template) for ch in text)


@pytest.mark.parametrize("code", sorted(TEXT))
def test_every_code_has_a_russian_text_with_the_same_placeholders(code: str) -> None:
    with translation.override("ru"):
        russian = translation.gettext(TEXT[code])
    assert russian != TEXT[code] or not has_words(TEXT[code])
    assert placeholders(russian) == placeholders(TEXT[code])


BLOCKED = message(
    "blocking_sleep",
    seconds="3.0",
    where=message("at_line", line=4),
    who=message("of_task", task="Task-2 (fetch)"),
)


def test_a_message_reads_in_english_as_the_cli_prints_it() -> None:
    assert word(BLOCKED, "en") == english(BLOCKED)
    assert word(BLOCKED, "en").startswith(
        "time.sleep(3.0) blocked the event loop for 3.0 s at line 4"
    )


def test_a_message_and_its_fragments_read_in_russian() -> None:
    worded = word(BLOCKED, "ru")
    assert worded.startswith("time.sleep(3.0) заблокировал цикл событий на 3.0 с")
    assert "4" in worded and "Task-2 (fetch)" in worded
    assert "at line" not in worded


def test_the_readers_language_is_the_default() -> None:
    with translation.override("ru"):
        assert word(message("check_output_ok")) == word(message("check_output_ok"), "ru")
    assert word(message("check_output_ok"), "ru") != english(message("check_output_ok"))


def test_runs_stored_before_codes_keep_their_own_words() -> None:
    stored = {"en": "blocked at line 4", "ru": "заблокировал в строке 4"}
    assert word(stored, "ru") == "заблокировал в строке 4"
    assert word(stored, "de") == "blocked at line 4"


def test_a_learners_braces_in_a_param_are_not_read_as_placeholders() -> None:
    got = message("check_must_not_use", names="{names} {0}")
    assert word(got, "en") == "Your code must not use: {names} {0}."


def test_the_unfinished_work_and_syntax_messages_read_in_both_languages() -> None:
    pending = message(
        "task_pending_at_close",
        task="Task-2 (save)",
        where=message("created_at_line", line=8),
        seen=message("last_seen_at_line", line=4),
    )
    assert word(pending, "en").startswith(
        "Task Task-2 (save) created at line 8 was still unfinished when its event loop closed "
        "(last seen waiting at line 4)"
    )
    assert word(pending, "ru").startswith(
        "Задача Task-2 (save), созданная в строке 8, ещё не завершилась, когда её цикл событий "
        "закрылся (последнее ожидание в строке 4)"
    )
    loop = message("loop_not_closed", where=message("loop_created_at_line", line=5))
    assert word(loop, "ru").startswith("Цикл событий (создан в строке 5) так и не закрыли.")
    forbidden = message(
        "check_syntax_forbidden_call",
        line=6,
        call="time.sleep",
        inside=message("syntax_inside", construct="async def"),
    )
    assert word(forbidden, "ru") == (
        "В строке 6 вызывается time.sleep() внутри async def, "
        "а в этом упражнении так делать нельзя."
    )


def test_every_event_kind_the_runner_gives_has_a_label_in_both_languages() -> None:
    from quiz.runs.presenters import EVENT_WORDS
    from runner.checks import EVENT_KINDS

    assert set(EVENT_WORDS) == set(EVENT_KINDS)
    english_words = {kind: str(label) for kind, label in EVENT_WORDS.items()}
    with translation.override("ru"):
        russian = {kind: str(label) for kind, label in EVENT_WORDS.items()}
    assert [kind for kind in EVENT_KINDS if russian[kind] == english_words[kind]] == []
    assert russian["task_pending_at_close"] == "Задача не завершена"
