"""Messages are codes with params; runner/messages.py holds the one English text of each."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from runner.messages import TEXT, english, message, with_text

RUNNER = Path(__file__).resolve().parents[2] / "runner"


def codes_in_source() -> set[str]:
    """Every string literal in the runner's code, besides messages.py, that names a code."""
    found = set()
    for path in RUNNER.rglob("*.py"):
        if path.name == "messages.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                for arg in node.args:
                    if name in {"message", "at_line", "_result", "ChannelError"} and isinstance(
                        arg, ast.Constant
                    ):
                        found.add(arg.value)
    return {value for value in found if isinstance(value, str) and value.islower()}


def test_every_code_the_runner_gives_has_its_text_and_every_text_is_used():
    used = codes_in_source() - {"output", "virtual_seconds", "concurrency", "exception"}
    used -= {"status", "events"}
    assert used - set(TEXT) == set()
    source = "\n".join(p.read_text(encoding="utf-8") for p in RUNNER.rglob("*.py"))
    unused = [code for code in TEXT if source.count(f'"{code}"') < 2]
    assert unused == []


@pytest.mark.parametrize("code", sorted(TEXT))
def test_codes_are_snake_case_and_templates_use_named_placeholders(code):
    assert code.replace("_", "").isalpha() and code.islower()
    fields = [field for _, field, _, _ in string.Formatter().parse(TEXT[code]) if field]
    assert all(field.isidentifier() for field in fields)


def test_english_puts_fragments_into_words_first():
    said = message(
        "blocking_sleep",
        seconds="3.0",
        where=message("at_line", line=4),
        who=message("of_task", task="Task-2 (worker)"),
    )
    assert english(said) == (
        "time.sleep(3.0) blocked the event loop for 3.0 s at line 4 (task Task-2 (worker)): no "
        "other task could run meanwhile. To pause, await asyncio.sleep(...); if it stands for "
        "blocking work, run that work in a thread: await asyncio.to_thread(...)."
    )
    assert english(message("blocking_sleep", seconds="3.0", where="", who="")).startswith(
        "time.sleep(3.0) blocked the event loop for 3.0 s: "
    )


def test_an_unknown_code_is_refused():
    with pytest.raises(KeyError):
        message("no_such_code")


def test_with_text_adds_english_beside_every_message_and_leaves_the_rest():
    verdict = {
        "status": "timeout",
        "error": message("timeout", seconds="10"),
        "events": [],
        "exception": {"type": "ValueError", "message": "{not a code}", "line": 1},
    }
    shown = with_text(verdict)
    assert shown["error"]["text"] == (
        "The program did not finish within 10 s of real time; it was stopped."
    )
    assert shown["exception"] == verdict["exception"]
    assert "text" not in verdict["error"]
