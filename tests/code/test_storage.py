"""Whatever the runner returns is stored and shown: NUL and lone surrogates, on every database.

The runner is expected to hand back clean text (the containment side); the app must not depend
on it. Run this module on SQLite and, with DATABASE_URL pointing at PostgreSQL, on PostgreSQL
(the `postgres` test below fails in CI when it is not).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection

from quiz.models import CheckDay, Run
from quiz.runs import sandbox, tasks
from quiz.runs.verdicts import storable
from tests.code.conftest import CONCURRENT
from tests.conftest import require

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = "nul\x00here lone\ud800high \udffflow"
SHOWN = "nul\u2400here lone\ufffdhigh \ufffdlow"
HX = {"HTTP_HX_REQUEST": "true"}


def poisoned(verdict: dict[str, Any]) -> dict[str, Any]:
    """The real verdict with hostile text wherever the program decides the text."""
    verdict = {**verdict, "stdout": f"{HOSTILE}\n{verdict['stdout']}", "stderr": HOSTILE}
    verdict["tasks"] = [{**task, "name": f"task {HOSTILE}"} for task in verdict["tasks"]]
    verdict["exception"] = {"type": f"Boom{HOSTILE}", "message": HOSTILE, "line": 1}
    verdict["checks"] = [
        *verdict.get("checks", []),
        {"name": f"odd {HOSTILE}", "passed": False, "message": {"en": HOSTILE, "ru": HOSTILE}},
    ]
    verdict["virtual_seconds_extra"] = float("nan")
    return verdict


@pytest.fixture
def hostile_runner(monkeypatch):
    real = sandbox.run
    monkeypatch.setattr(
        sandbox, "run", lambda code, spec=None, **how: poisoned(real(code, spec, **how))
    )


def test_storable_replaces_nul_and_lone_surrogates_everywhere_and_keeps_the_rest():
    value = {HOSTILE: [HOSTILE, ("a", 1.5, None, True)], "n": float("inf"), "ok": "ça ✓ 😀"}
    assert storable(value) == {
        SHOWN: [SHOWN, ("a", 1.5, None, True)],
        "n": None,
        "ok": "ça ✓ 😀",
    }


def check_hostile_run_is_stored_and_shown(client, shown, admin_user):
    response = client.post(shown, {"code": CONCURRENT, "action": "check"}, **HX)
    assert response.status_code == 200
    run = Run.objects.get()
    assert run.status == Run.Status.DONE and run.error == ""
    assert run.verdict["stdout"].startswith(SHOWN)
    assert run.verdict["tasks"][0]["name"] == f"task {SHOWN}"
    assert run.verdict["virtual_seconds_extra"] is None
    assert CheckDay.objects.filter(name=f"odd {SHOWN}").exists()

    fragment = client.get(f"/runs/{run.run_id}/", **HX)
    assert fragment.status_code == 200 and SHOWN in fragment.content.decode()
    page = client.get("/decks/code/study/")
    assert page.status_code == 200 and SHOWN in page.content.decode()

    client.force_login(admin_user)
    detail = client.get(f"/admin/quiz/run/{run.pk}/change/")
    assert detail.status_code == 200 and "nul\u2400here" in detail.content.decode()
    exported = client.get("/progress/export/runs.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert any(f"odd {SHOWN}" in cell for cell in rows[1])


def test_a_verdict_with_nul_and_lone_surrogates_is_stored_and_shown(
    client, shown, admin_user, hostile_runner
):
    check_hostile_run_is_stored_and_shown(client, shown, admin_user)


@pytest.mark.postgres
def test_on_postgresql_too(client, shown, admin_user, hostile_runner):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    check_hostile_run_is_stored_and_shown(client, shown, admin_user)


def test_a_verdict_the_database_refuses_ends_the_run_as_an_error_to_retry(
    client, shown, hostile_runner, monkeypatch
):
    monkeypatch.setattr(tasks, "storable", lambda value: value)  # as before the sanitiser
    client.post(shown, {"code": CONCURRENT, "action": "check"}, **HX)
    run = Run.objects.get()
    assert (run.status, run.error, run.verdict) == ("error", "crash", None)
