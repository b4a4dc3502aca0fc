"""Checks: decide pass or fail from a verdict and the source, against a card's spec."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

from runner.messages import message
from runner.syntax import aliases as import_aliases
from runner.syntax import check_syntax, syntax_problem

EVENT_KINDS = (
    "blocking_call",
    "cpu_hog",
    "deadlock",
    "never_awaited",
    "unretrieved_exception",
    "virtual_timeout",
    "task_pending_at_close",
    "cancelled_not_awaited",
    "loop_not_closed",
)
STATUSES = ("ok", "error", "deadlock", "timeout", "virtual_timeout", "killed", "output_limit")
OUTPUT_MODES = ("exact", "normalized", "regex", "contains", "lines_any_order")
# Syntax a spec may require or forbid by name, besides dotted names.
SYNTAX = {
    "await": ast.Await,
    "async with": ast.AsyncWith,
    "async for": ast.AsyncFor,
    "async def": ast.AsyncFunctionDef,
}


class SpecError(ValueError):
    """A spec a teacher wrote that cannot be checked (unknown key, wrong type); `key` names the
    spec key at fault (None when the spec as a whole is)."""

    def __init__(self, text: str, key: str | None = None) -> None:
        super().__init__(text)
        self.key = key


def _result(name: str, passed: bool, code: str, **params: Any) -> dict[str, Any]:
    return {"name": name, "passed": passed, "message": message(code, **params)}


def _repeat(name: str, event: dict[str, Any]) -> dict[str, Any]:
    """A failed check that says what the event said, at the event's line."""
    return {
        "name": name,
        "passed": False,
        "message": dict(event["message"]),
        "line": event.get("line"),
    }


def _lines(value: str | list[str]) -> list[str]:
    return list(value) if isinstance(value, list) else value.splitlines()


def _normalize(text: str) -> list[str]:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def check_output(spec: dict[str, Any], verdict: dict[str, Any], source: str) -> dict[str, Any]:
    out = verdict["stdout"]
    for mode, expected in spec.items():
        if mode == "exact":
            text = expected if isinstance(expected, str) else "".join(f"{x}\n" for x in expected)
            ok = out == text
        elif mode == "normalized":
            ok = _normalize(out) == _normalize("\n".join(_lines(expected)))
        elif mode == "lines_any_order":
            ok = sorted(_normalize(out)) == sorted(_normalize("\n".join(_lines(expected))))
        elif mode == "contains":
            ok = all(
                part in out for part in ([expected] if isinstance(expected, str) else expected)
            )
        else:
            patterns = [expected] if isinstance(expected, str) else expected
            ok = all(re.search(pattern, out, re.MULTILINE) for pattern in patterns)
        if not ok:
            shown = expected if isinstance(expected, str) else "\n".join(expected)
            return _result(
                "output",
                False,
                "check_output_mismatch",
                mode=mode,
                expected=_short(shown),
                got=_short(out),
            )
    return _result("output", True, "check_output_ok")


def check_virtual_seconds(
    spec: dict[str, Any], verdict: dict[str, Any], source: str
) -> dict[str, Any]:
    took = verdict["virtual_seconds"]
    low, high = spec.get("min"), spec.get("max")
    epsilon = 1e-6
    name = "virtual_seconds"
    if low is not None and took < low - epsilon:
        return _result(
            name, False, "check_virtual_seconds_too_short", took=f"{took:g}", low=f"{low:g}"
        )
    if high is not None and took > high + epsilon:
        return _result(
            name, False, "check_virtual_seconds_too_long", took=f"{took:g}", high=f"{high:g}"
        )
    return _result(name, True, "check_virtual_seconds_ok", took=f"{took:g}")


def check_concurrency(spec: int, verdict: dict[str, Any], source: str) -> dict[str, Any]:
    seen = verdict["concurrency"]
    if seen >= spec:
        return _result("concurrency", True, "check_concurrency_ok", seen=seen)
    return _result("concurrency", False, "check_concurrency_too_low", needed=spec, seen=seen)


def _no_events(
    kind: str, name: str, ok: str
) -> Callable[[Any, dict[str, Any], str], dict[str, Any]]:
    """A `key: true` check that passes when the run shows no event of this kind; failing, it
    repeats the first one's message (and line)."""

    def check(spec: Any, verdict: dict[str, Any], source: str) -> dict[str, Any]:
        found = [event for event in verdict["events"] if event["kind"] == kind]
        if not spec or not found:
            return _result(name, True, ok)
        return _repeat(name, found[0])

    return check


def check_exception(spec: str | None, verdict: dict[str, Any], source: str) -> dict[str, Any]:
    raised = verdict.get("exception")
    got = raised["type"] if raised else None
    if got == spec:
        if spec is None:
            return _result("exception", True, "check_no_exception")
        return _result("exception", True, "check_exception_as_expected", expected=spec)
    if spec is None:
        line, text = raised.get("line"), raised.get("message", "")
        return _result(
            "exception", False, "check_exception_escaped", got=got, line=line, message=text
        )
    if got is None:
        return _result("exception", False, "check_exception_missing", expected=spec)
    return _result("exception", False, "check_exception_other", expected=spec, got=got)


def used_names(source: str) -> set[str]:
    """Every dotted name the source uses, with imports resolved: after `from time import sleep`,
    `sleep(1)` is `time.sleep`; after `import asyncio as aio`, `aio.gather` is `asyncio.gather`.
    Syntax names from SYNTAX ("await", "async with", ...) are included when present."""
    tree = ast.parse(source)
    aliases = import_aliases(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name):
            parts = []
            current: ast.AST = node
            while isinstance(current, ast.Attribute):
                parts.append(current.attr)
                current = current.value
            if isinstance(current, ast.Name):
                parts.append(aliases.get(current.id, current.id))
                names.add(".".join(reversed(parts)))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    names.update(
        word for word, kind in SYNTAX.items() if any(isinstance(n, kind) for n in ast.walk(tree))
    )
    return names


def _matches(wanted: str, names: set[str]) -> bool:
    """`asyncio.gather` matches exactly; a bare `create_task` matches any `x.create_task`."""
    if wanted in names:
        return True
    if "." not in wanted and " " not in wanted:
        return any(name.rsplit(".", 1)[-1] == wanted for name in names)
    return False


def _static(name: str, must: bool) -> Callable[[list[str], dict[str, Any], str], dict[str, Any]]:
    def check(spec: list[str], verdict: dict[str, Any], source: str) -> dict[str, Any]:
        try:
            names = used_names(source)
        except SyntaxError as error:
            return _result(name, False, "check_code_unreadable", error=error.msg, line=error.lineno)
        bad = [w for w in spec if _matches(w, names) != must]
        if not bad:
            return _result(name, True, "check_constructs_ok")
        code = "check_must_use" if must else "check_must_not_use"
        return _result(name, False, code, names=", ".join(bad))

    return check


def check_status(spec: str, verdict: dict[str, Any], source: str) -> dict[str, Any]:
    got = verdict["status"]
    if got == spec:
        return _result("status", True, "check_status_ok", status=spec)
    return _result("status", False, "check_status_mismatch", expected=spec, got=got)


def check_events(
    spec: dict[str, list[str]], verdict: dict[str, Any], source: str
) -> dict[str, Any]:
    kinds = [event["kind"] for event in verdict["events"]]
    for event in verdict["events"]:
        if event["kind"] in spec.get("forbid", []):
            return _repeat("events", event)
    missing = [kind for kind in spec.get("require", []) if kind not in kinds]
    if missing:
        return _result("events", False, "check_events_missing", kinds=", ".join(missing))
    return _result("events", True, "check_events_ok")


CHECKS: dict[str, Callable[[Any, dict[str, Any], str], dict[str, Any]]] = {
    "output": check_output,
    "virtual_seconds": check_virtual_seconds,
    "concurrency": check_concurrency,
    "no_blocking": _no_events("blocking_call", "no_blocking", "check_loop_not_held"),
    "no_cpu_hog": _no_events("cpu_hog", "no_cpu_hog", "check_loop_not_held"),
    "no_pending_tasks": _no_events(
        "task_pending_at_close", "no_pending_tasks", "check_no_pending_tasks_ok"
    ),
    "cancelled_awaited": _no_events(
        "cancelled_not_awaited", "cancelled_awaited", "check_cancelled_awaited_ok"
    ),
    "loops_closed": _no_events("loop_not_closed", "loops_closed", "check_loops_closed_ok"),
    "no_unretrieved_exception": _no_events(
        "unretrieved_exception", "no_unretrieved_exception", "check_no_unretrieved_exception_ok"
    ),
    "exception": check_exception,
    "must_use": _static("must_use", True),
    "must_not_use": _static("must_not_use", False),
    "status": check_status,
    "events": check_events,
    "syntax": check_syntax,
}

# Keys that are `true` (check) or `false` (no check).
FLAGS = (
    "no_blocking",
    "no_cpu_hog",
    "no_pending_tasks",
    "cancelled_awaited",
    "loops_closed",
    "no_unretrieved_exception",
)


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def validate(spec: Any) -> None:
    """Raise SpecError, naming the key, for a spec these checks cannot apply."""
    if not isinstance(spec, dict):
        raise SpecError("the spec must be a mapping of check names to settings")
    for key, value in spec.items():
        problem = None
        if key not in CHECKS:
            problem = f"unknown check; known: {', '.join(CHECKS)}"
        elif key == "output":
            if not isinstance(value, dict) or not value or set(value) - set(OUTPUT_MODES):
                problem = f"must map one of {', '.join(OUTPUT_MODES)} to a string or list"
            elif not all(isinstance(v, str) or _str_list(v) for v in value.values()):
                problem = "expected output must be a string or a list of strings"
            elif "regex" in value:
                for pattern in (
                    [value["regex"]] if isinstance(value["regex"], str) else value["regex"]
                ):
                    try:
                        re.compile(pattern)
                    except re.error as error:
                        problem = f"bad regex {pattern!r}: {error}"
        elif key == "virtual_seconds":
            bounds_ok = isinstance(value, dict) and value and set(value) <= {"min", "max"}
            if not bounds_ok or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
            ):
                problem = "must be {min: number, max: number} (either may be left out)"
        elif key == "concurrency":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problem = "must be a whole number of tasks, at least 1"
        elif key == "syntax":
            problem = syntax_problem(value)
        elif key in FLAGS:
            if not isinstance(value, bool):
                problem = "must be true or false"
        elif key == "exception":
            if value is not None and not isinstance(value, str):
                problem = "must be null or an exception type name such as ValueError"
        elif key in ("must_use", "must_not_use"):
            if not _str_list(value):
                problem = "must be a list of names such as asyncio.gather"
        elif key == "status":
            if value not in STATUSES:
                problem = f"must be one of {', '.join(STATUSES)}"
        elif key == "events":
            if not isinstance(value, dict) or set(value) - {"forbid", "require"}:
                problem = "must be {forbid: [kinds], require: [kinds]}"
            elif not all(_str_list(v) and set(v) <= set(EVENT_KINDS) for v in value.values()):
                problem = f"event kinds are: {', '.join(EVENT_KINDS)}"
        if problem:
            raise SpecError(f"spec key {key!r}: {problem}", key=key)


def evaluate(spec: dict[str, Any], verdict: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """One result per spec key, in the spec's order."""
    validate(spec)
    return [CHECKS[key](value, verdict, source) for key, value in spec.items()]
