"""Runs as Celery tasks: idempotent, limited per learner, never stuck, safe with Redis down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from quiz.models import Presentation, Run
from quiz.runs import sandbox
from quiz.runs.tasks import execute_run
from quiz.study.service import allowed_ratings
from tests.code.conftest import CONCURRENT, SEQUENTIAL

pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HTTP_HX_REQUEST": "true"}


def post(client, url, code=CONCURRENT, action="check"):
    return client.post(url, {"code": code, "action": action}, **HX)


@pytest.fixture
def counted_runs(monkeypatch):
    """Count the programs that reach the sandbox."""
    calls = []
    real = sandbox.run

    def run(source, spec=None, python=None, owner=None):
        calls.append(source)
        return real(source, spec, python=python, owner=owner)

    monkeypatch.setattr(sandbox, "run", run)
    return calls


def queued_run(learner, presentation, **fields):
    return Run.objects.create(
        user=learner,
        card=presentation.card,
        presentation=presentation,
        code=CONCURRENT,
        kind="check",
        **fields,
    )


def test_a_task_delivered_twice_runs_the_code_once(client, shown, learner, counted_runs):
    run = queued_run(learner, Presentation.objects.get())
    execute_run.apply(args=[str(run.run_id)])
    execute_run.apply(args=[str(run.run_id)])
    run.refresh_from_db()
    assert run.status == "done" and run.passed is True
    assert counted_runs.count(CONCURRENT) == 1


def test_a_task_for_a_run_already_ended_as_an_error_does_nothing(
    client, shown, learner, counted_runs
):
    run = queued_run(learner, Presentation.objects.get(), status="error", error="lost")
    execute_run.apply(args=[str(run.run_id)])
    run.refresh_from_db()
    assert (run.status, run.verdict) == ("error", None)
    assert counted_runs == []


def test_a_passing_check_allows_hard_good_easy_and_a_failing_one_only_again(client, shown):
    post(client, shown, SEQUENTIAL)
    presentation = Presentation.objects.get()
    assert allowed_ratings(presentation) == [1]


def test_the_first_check_decides_the_rating(client, shown):
    post(client, shown, CONCURRENT)
    post(client, shown, SEQUENTIAL)
    presentation = Presentation.objects.get()
    assert presentation.correct is True
    assert allowed_ratings(presentation) == [2, 3, 4]
    assert list(Run.objects.order_by("created_at").values_list("passed", flat=True)) == [
        True,
        False,
    ]


def test_runs_before_the_check_do_not_grade_the_card(client, shown):
    post(client, shown, SEQUENTIAL, "run")
    post(client, shown, SEQUENTIAL, "run")
    presentation = Presentation.objects.get()
    assert presentation.correct is None and allowed_ratings(presentation) == []
    assert Run.objects.filter(kind="run", status="done").count() == 2


def test_too_many_runs_in_flight_are_refused_with_a_message(client, shown, learner, settings):
    settings.CODE_RUNS_IN_FLIGHT = 1
    queued_run(learner, Presentation.objects.get(), status="running", started_at=timezone.now())
    response = post(client, shown)
    assert response.status_code == 429
    assert "Your previous run has not finished yet" in response.content.decode()
    assert Run.objects.count() == 1


def test_too_many_runs_in_a_minute_are_refused_with_a_message(client, shown, settings):
    settings.CODE_RUNS_PER_MINUTE = 2
    assert post(client, shown, action="run").status_code == 200
    assert post(client, shown, action="run").status_code == 200
    response = post(client, shown, action="run")
    assert response.status_code == 429
    assert "a lot of runs in one minute" in response.content.decode()
    assert Run.objects.count() == 2


def test_empty_code_is_refused(client, shown):
    response = post(client, shown, "   \n")
    assert response.status_code == 400
    assert "There is no code to run." in response.content.decode()
    assert not Run.objects.exists()


def test_a_run_whose_worker_died_ends_as_an_error_the_learner_can_retry(
    client, shown, learner, settings
):
    settings.CODE_RUN_HARD_LIMIT, settings.CODE_RUN_GRACE = 20, 5
    started = timezone.now() - timedelta(seconds=26)
    run = queued_run(learner, Presentation.objects.get(), status="running", started_at=started)
    html = client.get(f"/runs/{run.run_id}/", **HX).content.decode()
    assert "The code runner stopped while running your code" in html
    assert "hx-trigger" not in html.split('id="run"')[1].split(">")[0]
    run.refresh_from_db()
    assert (run.status, run.error) == ("error", "lost")
    assert post(client, shown).status_code == 200
    assert Run.objects.latest("created_at").status == "done"


@pytest.mark.parametrize(
    ("seconds_ago", "submitted", "left_as"),
    [(26, 200, ("error", "lost")), (10, 429, ("running", ""))],
    ids=["its-worker-died", "still-running"],
)
def test_a_run_holds_the_learners_slot_only_while_it_may_still_finish(
    client, shown, learner, settings, seconds_ago, submitted, left_as
):
    # Never polled again (the tab was closed): past its limits, the next submission ends it and
    # goes ahead; within them, the next one is refused.
    settings.CODE_RUN_HARD_LIMIT, settings.CODE_RUN_GRACE = 20, 5
    settings.CODE_RUNS_IN_FLIGHT = 1
    started = timezone.now() - timedelta(seconds=seconds_ago)
    held = queued_run(learner, Presentation.objects.get(), status="running", started_at=started)
    assert post(client, shown).status_code == submitted
    held.refresh_from_db()
    assert (held.status, held.error) == left_as
    new_runs = list(Run.objects.exclude(pk=held.pk).values_list("status", flat=True))
    assert new_runs == (["done"] if submitted == 200 else [])


def test_a_run_still_within_its_limit_keeps_polling(client, shown, learner, settings):
    settings.CODE_RUN_HARD_LIMIT, settings.CODE_RUN_GRACE = 20, 5
    started = timezone.now() - timedelta(seconds=10)
    run = queued_run(learner, Presentation.objects.get(), status="running", started_at=started)
    html = client.get(f"/runs/{run.run_id}/?poll=1", **HX).content.decode()
    assert "running…" in html and 'hx-trigger="load delay:150ms"' in html  # the second poll
    run.refresh_from_db()
    assert run.status == "running"


def test_a_run_no_worker_picked_up_ends_as_an_error(client, shown, learner, settings):
    settings.CODE_RUN_QUEUE_TIMEOUT = 60
    created = timezone.now() - timedelta(seconds=61)
    run = queued_run(learner, Presentation.objects.get(), created_at=created)
    html = client.get(f"/runs/{run.run_id}/", **HX).content.decode()
    assert "No code runner picked up your code in time" in html


def test_another_learner_cannot_see_my_run(client, shown, learner, other_learner):
    run = queued_run(learner, Presentation.objects.get())
    client.force_login(other_learner)
    assert client.get(f"/runs/{run.run_id}/", **HX).status_code == 404


def test_with_redis_unreachable_the_page_says_so_and_nothing_is_left_queued(
    client, shown, unreachable_broker
):
    response = post(client, shown)
    html = response.content.decode()
    assert "The code runner cannot be reached right now" in html
    assert "Your code is still in the editor" in html
    run = Run.objects.get()
    assert (run.status, run.error, run.verdict) == ("error", "queue_down", None)
    assert Presentation.objects.get().correct is None
    page = client.get("/decks/code/study/")
    assert page.status_code == 200
    assert "await asyncio.gather" in page.content.decode()


def test_the_learner_owns_the_run_in_the_sandbox(client, shown, monkeypatch):
    owners = []
    real = sandbox.run

    def run(source, spec=None, python=None, owner=None):
        owners.append(owner)
        return real(source, spec, python=python, owner=owner)

    monkeypatch.setattr(sandbox, "run", run)
    post(client, shown)
    assert owners == [Run.objects.get().user_id] != [None]


def test_a_run_past_the_soft_time_limit_ends_with_a_message(client, shown, monkeypatch):
    def too_slow(source, spec=None, python=None, owner=None):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(sandbox, "run", too_slow)
    html = post(client, shown).content.decode()
    assert "Running your code took too long and was stopped." in html
    assert (Run.objects.get().status, Run.objects.get().error) == ("error", "time_limit")
    assert Presentation.objects.get().correct is None


def test_a_card_whose_checks_the_runner_refuses_asks_to_tell_the_author(client, shown):
    card = Presentation.objects.get().card
    for text in card.texts.all():
        text.content["checks"] = {"no_such_check": True}
        text.save()
    html = post(client, shown).content.decode()
    assert "This card&#x27;s checks cannot be run; please tell the deck&#x27;s author." in html
    assert Run.objects.get().error == "spec"


def test_a_running_verdict_is_polled_soon_then_less_and_less_often():
    from quiz.runs.presenters import poll_delay_ms

    delays = [poll_delay_ms(n) for n in range(10)]
    assert delays[0] == 100
    assert delays == sorted(delays) and delays[1] > delays[0]
    assert delays[-1] == 1000


def test_a_card_naming_a_python_not_here_asks_to_tell_the_author(client, shown):
    card = Presentation.objects.get().card
    for text in card.texts.all():
        text.content["python"] = ["3.99"]
        text.save()
    html = post(client, shown).content.decode()
    assert "This card&#x27;s Python version is not installed on this server" in html
    assert Run.objects.get().error == "python"
