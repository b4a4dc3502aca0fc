"""The runner's verdict as the app sees it: what runs keep in `Run.verdict` and `Run.baseline`.

The shape is the runner's (runner/README.md, "The verdict"); these types only name it for the app.
Verdicts are stored as JSON, so intervals come back as lists and old runs keep old messages.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal, NotRequired, TypeAlias, TypedDict

# The runner owns the lists: runner.checks.STATUSES and runner.checks.EVENT_KINDS.
Status: TypeAlias = str
EventKind: TypeAlias = str


class CodedMessage(TypedDict):
    """A message as a code naming its English template, with the values to fill it in."""

    code: str
    params: dict[str, Any]


class LegacyMessage(TypedDict):
    """A message as runs stored before message codes: the whole text in each language."""

    en: str
    ru: str


Message: TypeAlias = CodedMessage | LegacyMessage


class Event(TypedDict):
    """Something the program did wrong in asyncio terms, at a line of its source."""

    kind: EventKind
    line: int | None
    message: Message
    task: NotRequired[str]
    seconds: NotRequired[float]


class TaskSpan(TypedDict):
    """One task over virtual time; intervals are [start, stop] pairs in virtual seconds."""

    name: str
    coro: str | None
    created: float | None
    started: float | None
    finished: float | None
    result: Literal["ok", "error", "cancelled", "pending"]
    exception: str | None
    blocked: list[list[float]]
    awaiting_tasks: list[list[float]]


class RaisedException(TypedDict):
    """The exception that escaped the program."""

    type: str
    message: str
    line: int | None


class CheckResult(TypedDict):
    """One key of a card's spec, judged."""

    name: str
    passed: bool
    message: Message


class Baseline(TypedDict):
    """What is kept of the starter code's run, to draw beside the learner's."""

    status: Status
    virtual_seconds: float
    tasks: list[TaskSpan]
    events: list[Event]


class Verdict(Baseline):
    """One run's verdict; `passed` and `checks` only when the run was judged against a spec."""

    stdout: str
    stderr: str
    exit_code: int | None
    exception: RaisedException | None
    wall_seconds: float
    real_time: bool
    concurrency: int
    output_truncated: bool
    sandbox: str
    # The exact interpreter that ran it ("3.12.1"); missing from runs saved before it was kept.
    python: NotRequired[str | None]
    error: Message | None
    # What the runner cut to keep the verdict bounded, by kind ({} when nothing; not in old runs).
    cut: NotRequired[dict[str, int]]
    passed: NotRequired[bool]
    checks: NotRequired[list[CheckResult]]


SURROGATE = re.compile("[\ud800-\udfff]")


def storable(value: Any) -> Any:
    """`value` (a verdict, any JSON) as every database stores and every page renders it.

    NUL, which PostgreSQL refuses in text and JSON, becomes "␀" (U+2400); a surrogate code point
    on its own (not UTF-8, so not storable or renderable) becomes U+FFFD; a float that is not a
    number (JSON has none) becomes null. Keys are cleaned like values.
    """
    if isinstance(value, str):
        return SURROGATE.sub("\ufffd", value.replace("\x00", "\u2400"))
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    if isinstance(value, tuple):
        return tuple(storable(item) for item in value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
