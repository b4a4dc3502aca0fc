"""Bounds on what goes into a verdict: valid text, limited depth, counts and size.

Everything the sandbox sends is untrusted (a program can write to the report channel, forge a
report and name its tasks anything), so the host copies it into the verdict through these
functions: every string valid UTF-8 without NUL, every list and string cut at a fixed length,
and the whole verdict at most MAX_VERDICT_BYTES of JSON. What was cut is counted in the
verdict's `cut` field, so a learner (and a test) can see that something is missing.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

# The whole verdict as JSON (UTF-8, non-ASCII unescaped: how the app stores it).
MAX_VERDICT_BYTES = 256 << 10
# Room kept for the `cut` note itself when the verdict is cut to size.
NOTE_BYTES = 1024
NAME_CHARS = 200
TEXT_CHARS = 2000
MAX_ITEMS = 64
MAX_DEPTH = 8
# Values (strings, numbers, lists, objects) copied from one report, all parts together.
MAX_VALUES = 50_000
# A NUL cannot be stored (PostgreSQL refuses it in text and JSON); it is shown as \0.
NUL_SHOWN = "\\0"
ELLIPSIS = "…"


class Cuts(Counter[str]):
    """What was cut, by kind: `strings`, `items`, `depth`, `tasks`, `events`, `stdout`...;
    also how many more values may be copied (values_left)."""

    values_left = MAX_VALUES

    def note(self) -> dict[str, int]:
        return {kind: count for kind, count in sorted(self.items()) if count}


def text(value: str, limit: int, cuts: Cuts) -> str:
    """value as storable text: lone surrogates as U+FFFD, NUL as \\0, at most limit characters
    (then an ellipsis)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Pairs written as two escapes become their character; lone halves become U+FFFD.
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if "\0" in value:
        value = value.replace("\0", NUL_SHOWN)
    if len(value) > limit:
        cuts["strings"] += 1
        value = value[:limit] + ELLIPSIS
    return value


def output(data: bytes, cuts: Cuts) -> str:
    """A run's stdout or stderr as storable text (its length is already capped)."""
    return text(data.decode("utf-8", "replace"), len(data) + 1, cuts)


def number(value: Any) -> float | int | None:
    """A finite number, else None (JSON has no NaN or infinity; PostgreSQL refuses them)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def plain(value: Any, cuts: Cuts, limit: int = TEXT_CHARS, depth: int = MAX_DEPTH) -> Any:
    """A bounded copy of a JSON value: strings cut at limit, lists and objects at MAX_ITEMS,
    nesting at depth (deeper values become None), and MAX_VALUES values in all."""
    if cuts.values_left <= 0:
        cuts["items"] += 1
        return None
    cuts.values_left -= 1
    if isinstance(value, str):
        return text(value, limit, cuts)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return number(value)
    if depth <= 0:
        cuts["depth"] += 1
        return None
    if isinstance(value, list):
        if len(value) > MAX_ITEMS:
            cuts["items"] += len(value) - MAX_ITEMS
        return [plain(item, cuts, limit, depth - 1) for item in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            cuts["items"] += len(value) - MAX_ITEMS
        return {
            text(str(key), NAME_CHARS, cuts): plain(item, cuts, limit, depth - 1)
            for key, item in list(value.items())[:MAX_ITEMS]
        }
    return None


def size(value: Any) -> int:
    """Bytes of value as the app stores it (JSON, UTF-8)."""
    return len(json.dumps(value, ensure_ascii=False, allow_nan=False).encode())


def fit(verdict: dict[str, Any], limit: int = MAX_VERDICT_BYTES) -> dict[str, Any]:
    """Cut verdict (in place) to at most limit bytes of JSON: tasks from the end first, then
    events, checks, then stdout and stderr from their ends; verdict["cut"] (what was cut
    before, by kind) says what went."""
    cuts = Cuts(verdict.get("cut") or {})
    verdict["cut"] = cuts.note()
    total = size(verdict)
    if total <= limit:
        return verdict
    excess = total - (limit - NOTE_BYTES)
    for key in ("tasks", "events", "checks"):
        items = verdict.get(key)
        if excess <= 0 or not isinstance(items, list):
            continue
        keep = len(items)
        while keep and excess > 0:
            keep -= 1
            excess -= size(items[keep]) + 2
        cuts[key] += len(items) - keep
        verdict[key] = items[:keep]
    for key in ("stdout", "stderr"):
        value = verdict.get(key)
        if excess <= 0 or not isinstance(value, str):
            continue
        # Every character costs at least one byte: dropping `excess` of them is enough.
        keep = max(0, len(value) - excess)
        excess -= size(value) - size(value[:keep])
        cuts[key] += len(value) - keep
        verdict[key] = value[:keep] + (ELLIPSIS if keep < len(value) else "")
    verdict["cut"] = cuts.note()
    if size(verdict) > limit:
        # Only a forged report gets here (a huge exception, say): keep the verdict's frame.
        for key, empty in (("exception", None), ("events", []), ("tasks", []), ("checks", [])):
            if key in verdict:
                verdict[key] = empty
        verdict["stdout"] = verdict["stderr"] = ""
        cuts["everything"] += 1
        verdict["cut"] = cuts.note()
    return verdict
