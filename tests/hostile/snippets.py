"""Hostile snippets: what one case is, the normal run beside them, and how a verdict is judged.

The catalogue itself is in tests/hostile/catalogue.py.

Stdlib only: the suite also runs this catalogue as an ordinary user through /usr/bin/python3
(tests/hostile/ordinary_user.py), where pytest is not installed.

Placeholders replaced before a run: HOST_TCP_PORT, HOST_UDP_PORT, HOST_UNIX_PATH, HOST_ABSTRACT
(listeners the host opens to see whether anything reaches them), REPO (this checkout), CANARY
(the mark every file a snippet tries to create carries, so the host can look for it).
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from typing import Any

CANARY = "loopdeck-hostile-canary"
# Put into the host's environment before any sandbox starts; no run may ever see it.
SECRET = "hostile-canary-secret-key-7f3a"
# The launchers' fixed environment, Python's locale coercion, and bubblewrap's --chdir.
# The most a verdict may take as JSON (runner/bounded.py), checked for every case.
MAX_VERDICT_BYTES = 256 << 10
ENV_ALLOWED = {"PYTHONHASHSEED", "LANG", "TZ", "MALLOC_ARENA_MAX", "LC_CTYPE", "PWD"}

NORMAL = """\
import asyncio
import time


async def task(name):
    print(f"{name} started")
    await asyncio.sleep(3)
    print(f"{name} finished")


async def main():
    start = time.time()
    await asyncio.gather(task("A"), task("B"))
    print(f"took {time.time() - start:.1f} s")


asyncio.run(main())
"""
NORMAL_STDOUT = "A started\nB started\nA finished\nB finished\ntook 3.0 s\n"


@dataclass(frozen=True)
class Hostile:
    """One attack, the statuses its verdict may have, and what its output must (not) show."""

    name: str
    source: str
    statuses: frozenset[str]
    # Text the run's stdout must contain / must not contain (a traceback on stderr may quote
    # the line that would have printed it).
    shows: tuple[str, ...] = ()
    never_shows: tuple[str, ...] = ()
    # A later run in the same runner that must print exactly "CLEAN".
    then: str | None = None
    # Text some task name of the verdict must start with.
    names: tuple[str, ...] = ()


def hostile(
    name: str,
    source: str,
    *statuses: str,
    shows: tuple[str, ...] = (),
    never_shows: tuple[str, ...] = (),
    then: str | None = None,
    names: tuple[str, ...] = (),
) -> Hostile:
    """A catalogue entry; sources are written indented and dedented here."""
    then = textwrap.dedent(then) if then is not None else None
    source = textwrap.dedent(source)
    return Hostile(name, source, frozenset(statuses), shows, never_shows, then, names)


def problems(case: Hostile, verdict: dict[str, Any], then: dict[str, Any] | None) -> list[str]:
    """What is wrong with a hostile run's verdict (and its follow-up's); empty when it held."""
    found = []
    if verdict["status"] not in case.statuses:
        found.append(f"status {verdict['status']!r}, expected one of {sorted(case.statuses)}")
    for text in case.shows:
        if text not in verdict["stdout"]:
            found.append(f"stdout lacks {text!r}")
    for text in case.never_shows:
        if text in verdict["stdout"]:
            found.append(f"stdout shows {text!r}")
    found += storable_problems(verdict)
    for start in case.names:
        if not any(task["name"].startswith(start) for task in verdict["tasks"]):
            found.append(f"no task named {start!r}...")
    if SECRET in verdict["stdout"] + verdict["stderr"]:
        found.append("the host's secret leaked into the output")
    if verdict["status"] == "ok" and verdict.get("passed") is True:
        found.append("a hostile run passed a check")
    if case.then is not None:
        if then is None:
            found.append("the follow-up run did not happen")
        elif then["status"] != "ok" or then["stdout"] != "CLEAN\n":
            tail = then["stderr"][-300:]
            found.append(f"follow-up: {then['status']} {then['stdout']!r} {tail!r}")
    return found


def storable_problems(verdict: dict[str, Any]) -> list[str]:
    """Why the verdict could not be stored as it is (PostgreSQL refuses NUL, UTF-8 refuses lone
    surrogates), or is too big to keep."""
    text = json.dumps(verdict, ensure_ascii=False)
    found = []
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return ["the verdict holds a lone surrogate"]
    if "\\u0000" in text or "\0" in text:
        found.append("the verdict holds a NUL")
    if size > MAX_VERDICT_BYTES:
        found.append(f"the verdict is {size} bytes of JSON")
    return found


def normal_problems(verdict: dict[str, Any]) -> list[str]:
    """What is wrong with the normal program's verdict."""
    if verdict["status"] == "ok" and verdict["stdout"] == NORMAL_STDOUT:
        if verdict["virtual_seconds"] == 3.0:
            return []
    return [f"normal run: {verdict['status']} {verdict['stdout']!r} {verdict['stderr'][-300:]!r}"]


ANY_END = ("error", "killed", "timeout")
