"""Whatever bytes a run leaves on its report channel, the verdict is an error or a bounded,
storable verdict: never an exception, never more than 256 KiB of JSON, never a NUL or a lone
surrogate. (The same cases through real sandboxes are in tests/hostile/.)"""

from __future__ import annotations

import json
import random

import pytest

from runner.bounded import MAX_VERDICT_BYTES, fit
from runner.launchers import Outcome
from runner.messages import with_text
from runner.protocol import encode, frame
from runner.verdict import assemble

NONCE = "n" * 32


def verdict_for(channel: bytes, stdout: bytes = b"", returncode: int = 0) -> dict:
    outcome = Outcome(stdout, b"", channel, returncode, 0.01)
    return fit(assemble(outcome, NONCE, "test", 10.0))


def report(**parts: object) -> bytes:
    return encode({"nonce": NONCE, "status": "ok", "exit_code": 0, **parts})


def stored(verdict: dict) -> str:
    """The verdict as the app stores it (PostgreSQL refuses NUL; UTF-8 refuses surrogates)."""
    text = json.dumps(with_text(verdict), ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")
    assert "\\u0000" not in text and "\0" not in text
    assert len(text.encode()) <= MAX_VERDICT_BYTES
    return text


def span(name: str) -> dict:
    return {
        "name": name,
        "coro": "main",
        "created": 0.0,
        "started": 0.0,
        "finished": 1.0,
        "result": "ok",
        "exception": None,
        "blocked": [],
        "awaiting_tasks": [],
    }


def test_a_thousand_tasks_with_25_kb_names_make_a_verdict_under_256_kib():
    tasks = [span(f"{i}-" + "x" * 25_000) for i in range(1000)]
    channel = report(tasks=tasks)
    assert len(channel) > 25_000_000

    verdict = verdict_for(channel)

    assert verdict["status"] == "ok"
    assert len(stored(verdict).encode()) <= MAX_VERDICT_BYTES
    assert (
        verdict["tasks"][0]["name"].startswith("0-xxx") and len(verdict["tasks"][0]["name"]) < 300
    )
    # Each name counted once as cut, the kept ones and the dropped ones alike.
    assert verdict["cut"]["strings"] == 1000
    assert verdict["cut"]["tasks"] == 1000 - len(verdict["tasks"]) > 0
    # All the tasks overlapped: the figure is the whole run's, not the kept part's.
    assert verdict["concurrency"] == 1000


def test_a_small_verdict_is_not_cut():
    verdict = verdict_for(report(tasks=[span("worker")]), stdout=b"hi\n")
    assert verdict["cut"] == {}
    assert verdict["tasks"][0]["name"] == "worker"


@pytest.mark.parametrize("depth", [100, 100_000])
def test_nested_brackets_on_the_channel_are_an_error(depth):
    verdict = verdict_for(frame(b"[" * depth))
    assert verdict["status"] == "error"
    assert verdict["error"]["code"] == "report_wrong_run"
    stored(verdict)


def test_a_lone_surrogate_and_a_nul_are_replaced_visibly():
    body = json.dumps(
        {
            "nonce": NONCE,
            "status": "ok",
            "tasks": [span("bad\ud800name\x00end")],
            "exception": {"type": "ValueError", "message": "a\x00b\udfff", "line": 1},
        }
    ).encode()
    verdict = verdict_for(frame(body), stdout=b"out\x00put \xff\n")

    assert verdict["tasks"][0]["name"] == "bad\ufffdname\\0end"
    assert verdict["exception"]["message"] == "a\\0b\ufffd"
    assert verdict["stdout"] == "out\\0put \ufffd\n"
    stored(verdict)


@pytest.mark.parametrize(
    "forged",
    [
        {"events": "many"},
        {"events": [1, 2]},
        {"events": [{"kind": "cpu_hog", "line": 1, "message": {"code": "nope", "params": {}}}]},
        {"events": [{"kind": "cpu_hog", "line": 1, "message": {"code": "cpu_hog", "params": {}}}]},
        {"tasks": [[]]},
        {"tasks": {"a": 1}},
        {"exception": "boom"},
        {"exception": {"type": 3}},
    ],
)
def test_a_forged_report_of_the_wrong_shape_is_an_error(forged):
    verdict = verdict_for(report(**forged))
    assert (verdict["status"], verdict["error"]["code"]) == ("error", "report_malformed")
    stored(verdict)


def test_odd_values_in_a_report_are_made_storable():
    body = (
        b'{"nonce": "%s", "status": "ok", "virtual_seconds": NaN, "exit_code": true,'
        b' "tasks": [{"name": 5, "started": Infinity, "finished": "x",'
        b' "awaiting_tasks": [[1], [0, 1], "z"], "deep": [[[[[[[[[[1]]]]]]]]]]}]}' % NONCE.encode()
    )
    verdict = verdict_for(frame(body))
    assert verdict["status"] == "ok"
    [task] = verdict["tasks"]
    assert (task["name"], task["started"], task["finished"]) == ("5", None, None)
    assert task["awaiting_tasks"] == [[0, 1]]
    assert (verdict["virtual_seconds"], verdict["exit_code"]) == (0.0, None)
    stored(verdict)


def test_random_bytes_on_the_channel_never_raise():
    chooser = random.Random(13)
    pieces = [b"[", b"{", b'"', b"\\u", b"d800", b"]", b"}", b":", b",", b"1e999", b"\x00", b"\xff"]
    for _ in range(300):
        body = b"".join(chooser.choice(pieces) for _ in range(chooser.randrange(1, 60)))
        channel = frame(body) if chooser.random() < 0.8 else body
        stored(verdict_for(channel))


def test_output_full_of_control_characters_still_fits():
    verdict = verdict_for(report(), stdout=b"\x01" * (64 << 10))
    assert len(stored(verdict).encode()) <= MAX_VERDICT_BYTES
    assert verdict["cut"]["stdout"] > 0


def test_a_report_that_exhausts_the_copy_budget_is_still_a_verdict():
    events = [
        {
            "kind": "cpu_hog",
            "line": 1,
            "message": {"code": "a_callback", "params": {}},
            "x": [1] * 60,
        }
    ] * 200
    tasks = [dict(span("t"), extra=[[1] * 60] * 60) for _ in range(1000)]
    exception = {"type": "ValueError", "message": "m", "line": 1}
    verdict = verdict_for(report(events=events, tasks=tasks, exception=exception))
    assert verdict["status"] in {"ok", "error"}
    stored(verdict)
