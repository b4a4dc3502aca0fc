"""Each spec check passes once and fails once, with a message a learner can act on."""

from __future__ import annotations

from typing import Any

import pytest

from runner import SpecError
from runner.checks import evaluate, used_names, validate
from runner.messages import TEXT, english


def verdict(**fields: Any) -> dict[str, Any]:
    base = {
        "status": "ok",
        "stdout": "",
        "exception": None,
        "virtual_seconds": 0.0,
        "events": [],
        "concurrency": 1,
    }
    return {**base, **fields}


def judge(spec: dict[str, Any], source: str = "", **fields: Any) -> dict[str, Any]:
    [result] = evaluate(spec, verdict(**fields), source)
    assert set(result["message"]) == {"code", "params"}
    assert result["message"]["code"] in TEXT
    assert english(result["message"])
    return result


BLOCKING = {
    "kind": "blocking_call",
    "line": 4,
    "message": {
        "code": "blocking_sleep",
        "params": {
            "seconds": "1.0",
            "where": {"code": "at_line", "params": {"line": 4}},
            "who": "",
        },
    },
}


@pytest.mark.parametrize(
    ("spec", "passing", "failing"),
    [
        ({"output": {"exact": "a\nb\n"}}, {"stdout": "a\nb\n"}, {"stdout": "a\nb"}),
        ({"output": {"exact": ["a", "b"]}}, {"stdout": "a\nb\n"}, {"stdout": "b\na\n"}),
        ({"output": {"normalized": "a  b\n"}}, {"stdout": "\n a b \n\n"}, {"stdout": "ab\n"}),
        ({"output": {"regex": r"^took \d\.\d s$"}}, {"stdout": "x\ntook 3.0 s\n"}, {"stdout": "3"}),
        ({"output": {"contains": ["a", "c"]}}, {"stdout": "abc"}, {"stdout": "ab"}),
        ({"output": {"lines_any_order": ["b", "a"]}}, {"stdout": "a\nb\n"}, {"stdout": "a\na\n"}),
        (
            {"virtual_seconds": {"min": 2.9, "max": 3.1}},
            {"virtual_seconds": 3.0},
            {"virtual_seconds": 6.0},
        ),
        ({"virtual_seconds": {"min": 3}}, {"virtual_seconds": 3.0}, {"virtual_seconds": 1.0}),
        ({"concurrency": 2}, {"concurrency": 3}, {"concurrency": 1}),
        ({"no_blocking": True}, {"events": []}, {"events": [BLOCKING]}),
        (
            {"no_cpu_hog": True},
            {"events": [BLOCKING]},
            {"events": [{**BLOCKING, "kind": "cpu_hog"}]},
        ),
        ({"exception": None}, {}, {"exception": {"type": "KeyError", "message": "'k'", "line": 3}}),
        ({"exception": "ValueError"}, {"exception": {"type": "ValueError"}}, {}),
        ({"status": "deadlock"}, {"status": "deadlock"}, {"status": "ok"}),
        (
            {"events": {"require": ["never_awaited"]}},
            {"events": [{**BLOCKING, "kind": "never_awaited"}]},
            {},
        ),
        ({"events": {"forbid": ["blocking_call"]}}, {}, {"events": [BLOCKING]}),
    ],
)
def test_each_check_passes_and_fails(spec, passing, failing):
    name = next(iter(spec))
    good, bad = judge(spec, **passing), judge(spec, **failing)
    assert (good["name"], good["passed"]) == (name, True)
    assert (bad["name"], bad["passed"]) == (name, False)


def test_a_failed_concurrency_check_says_how_many_ran_together():
    result = judge({"concurrency": 2}, concurrency=1)
    assert english(result["message"]).startswith(
        "Your tasks never ran at the same time enough: 2 needed, at most 1 seen."
    )
    assert result["message"] == {
        "code": "check_concurrency_too_low",
        "params": {"needed": 2, "seen": 1},
    }


def test_a_failed_blocking_check_repeats_the_event_message():
    result = judge({"no_blocking": True}, events=[BLOCKING])
    assert result["message"] == BLOCKING["message"]
    assert english(result["message"]).startswith(
        "time.sleep(1.0) blocked the event loop for 1.0 s at line 4:"
    )


STATIC_SOURCE = """
import asyncio as aio
from time import sleep

async def main():
    await aio.gather(aio.sleep(1))
    loop = aio.get_running_loop()
    loop.create_task(main())
    sleep(1)
"""


def test_static_names_resolve_imports_and_aliases():
    names = used_names(STATIC_SOURCE)
    assert {"asyncio.gather", "asyncio.sleep", "time.sleep", "loop.create_task", "await"} <= names
    assert "asyncio.create_task" not in names


def test_must_use_passes_and_fails():
    assert judge({"must_use": ["asyncio.gather", "create_task", "await"]}, STATIC_SOURCE)["passed"]
    failed = judge({"must_use": ["asyncio.TaskGroup", "asyncio.gather"]}, STATIC_SOURCE)
    assert failed["passed"] is False
    assert english(failed["message"]) == "Your code should use: asyncio.TaskGroup."


def test_must_not_use_catches_an_imported_sleep():
    assert judge({"must_not_use": ["asyncio.wait"]}, STATIC_SOURCE)["passed"]
    failed = judge({"must_not_use": ["time.sleep"]}, STATIC_SOURCE)
    assert failed["passed"] is False
    assert english(failed["message"]) == "Your code must not use: time.sleep."


def test_static_checks_fail_on_code_that_does_not_parse():
    result = judge({"must_not_use": ["time.sleep"]}, "def broken(:\n")
    assert result["passed"] is False
    assert "line 1" in english(result["message"])


@pytest.mark.parametrize(
    "spec",
    [
        {"outputs": {"exact": "x"}},
        {"output": {"fuzzy": "x"}},
        {"output": {"regex": "("}},
        {"virtual_seconds": 3},
        {"concurrency": "2"},
        {"no_blocking": "yes"},
        {"exception": 3},
        {"must_use": "asyncio.gather"},
        {"status": "fine"},
        {"events": {"forbid": ["slow"]}},
        ["output"],
    ],
)
def test_a_spec_that_cannot_be_checked_is_refused(spec):
    with pytest.raises(SpecError):
        validate(spec)


def test_a_bad_spec_is_refused_before_anything_runs(shared_runner):
    with pytest.raises(SpecError, match="concurrency"):
        shared_runner.run("print(1)", spec={"concurrency": 0})


CONCURRENT = """
import asyncio

async def job(n):
    await asyncio.sleep(1)
    print(n)

async def main():
{body}

asyncio.run(main())
"""
SPEC = {
    "output": {"lines_any_order": ["1", "2"]},
    "virtual_seconds": {"max": 1.5},
    "concurrency": 2,
    "no_blocking": True,
    "exception": None,
    "must_use": ["asyncio.gather"],
    "must_not_use": ["time.sleep"],
    "status": "ok",
    "events": {"forbid": ["never_awaited"]},
}


def test_a_reference_solution_passes_every_check(shared_runner):
    source = CONCURRENT.replace("{body}", "    await asyncio.gather(job(1), job(2))")
    verdict = shared_runner.run(source, spec=SPEC)
    assert [check["name"] for check in verdict["checks"]] == list(SPEC)
    assert verdict["passed"] is True, verdict["checks"]


def test_a_sequential_solution_fails_on_time_and_concurrency(shared_runner):
    source = CONCURRENT.replace("{body}", "    await job(1)\n    await job(2)")
    verdict = shared_runner.run(source, spec=SPEC)
    failed = {check["name"] for check in verdict["checks"] if not check["passed"]}
    assert verdict["passed"] is False
    assert failed == {"virtual_seconds", "concurrency", "must_use"}
