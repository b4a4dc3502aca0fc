"""What a code card shows: the code in the editor, the last run's verdict in words, timelines."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quiz.kinds import CodeContent
from quiz.models import Presentation, Run
from quiz.rendering import render_markdown
from quiz.runs import service, tasks, timeline
from quiz.runs.messages import word
from quiz.runs.verdicts import Baseline, Verdict
from quiz.study.presenters import rating_buttons

MAX_EVENTS = 20
ATTEMPTS_SHOWN = 12
# Two timelines side by side: each narrower, so its text stays as large as a single one's.
COMPARE_WIDTH = 420
STATUS_WORDS = {
    "ok": gettext_lazy("The program finished normally."),
    "error": gettext_lazy("The program ended with an error."),
    "deadlock": gettext_lazy(
        "The program got stuck: every task waits for something that can never happen (deadlock)."
    ),
    "timeout": gettext_lazy("The program did not finish in time and was stopped."),
    "virtual_timeout": gettext_lazy("The program ran too long in program time and was stopped."),
    "killed": gettext_lazy("The program was killed: it used too much memory or CPU time."),
    "output_limit": gettext_lazy("The program printed too much and was stopped."),
}
EVENT_WORDS = {
    "blocking_call": gettext_lazy("Blocked the event loop"),
    "cpu_hog": gettext_lazy("Held the event loop"),
    "deadlock": gettext_lazy("Deadlock"),
    "never_awaited": gettext_lazy("Never awaited"),
    "unretrieved_exception": gettext_lazy("Exception never retrieved"),
    "virtual_timeout": gettext_lazy("Ran too long"),
    "task_pending_at_close": gettext_lazy("Task left unfinished"),
    "cancelled_not_awaited": gettext_lazy("Cancelled, never awaited"),
    "loop_not_closed": gettext_lazy("Loop never closed"),
}


# A running verdict is polled first after 100 ms, then half again later each time, up to 1 s.
FIRST_POLL_MS, POLL_GROWTH, LAST_POLL_MS = 100, 1.5, 1000


def poll_delay_ms(poll: int) -> int:
    return int(min(FIRST_POLL_MS * POLL_GROWTH**poll, LAST_POLL_MS))


def code_context(
    presentation: Presentation,
    content: CodeContent | None = None,
    run: Run | None = None,
    poll: int = 0,
) -> dict[str, Any]:
    """Everything the code card's template needs, from the card and its latest (or given) run;
    `poll` counts the polls of a running run so far."""
    content = content or presentation.card.text().content
    run = run or service.latest_run(presentation)
    code = run.code if run else content.get("starter", "")
    graded = presentation.correct is not None
    context: dict[str, Any] = {
        "run": run,
        "starter": content.get("starter", ""),
        # After the graded check the editor stays, for practice that no longer changes the grade.
        "practice": graded,
        "graded_passed": presentation.correct,
        # The reference solution and its run, once they can no longer help with the graded answer.
        "solution": content.get("solution", "") if graded else "",
        "reference": ReferenceRun(presentation, content, poll, graded_by(run)) if graded else None,
        "editor_code": code,
        "editor_rows": min(max(code.count("\n") + 2, 8), 30),
        "hints": content.get("hints", []),
        "verdict": None,
        "highlight_lines": [],
        # A check decides the rating: the card turns to its back once the first check is in.
        "revealed": graded,
        "next_poll": poll + 1,
        "poll_delay_ms": poll_delay_ms(poll),
    }
    if graded:
        # The learner's attempts at this card, newest first, across the times it was shown.
        context["attempts"] = list(
            Run.objects.filter(user=presentation.user_id, card=presentation.card_id)
            .only("created_at", "kind", "status", "passed", "practice", "presentation_id")
            .order_by("-created_at", "-pk")[:ATTEMPTS_SHOWN]
        )
    if run is None:
        return context
    if run.status == Run.Status.ERROR:
        context["run_error"] = service.error_message(run)
    elif run.status == Run.Status.DONE and run.verdict:
        context["verdict"] = describe(run.verdict, run.baseline)
        context["highlight_lines"] = context["verdict"]["lines"]
    return context


def graded_by(run: Run | None) -> Run | None:
    """`run`, if it is the check that graded its card (finished, and not practice)."""
    if run is None or run.kind != Run.Kind.CHECK or run.practice:
        return None
    return run if run.status == Run.Status.DONE else None


# Polls for the reference solution's run before the page says it could not be run now.
REFERENCE_POLLS = 20


class ReferenceRun:
    """The reference solution's run beside the learner's graded check, on one time scale.

    Read (or queued) only when the template shows it, so a practice run's fragment costs nothing.
    """

    def __init__(
        self,
        presentation: Presentation,
        content: CodeContent,
        poll: int = 0,
        graded: Run | None = None,
    ) -> None:
        """`graded`: the check that graded the card, when the caller has it (else read here)."""
        self.presentation = presentation
        self.graded = graded
        self.content = content
        self.poll = poll
        self.next_poll = poll + 1
        self.poll_delay_ms = poll_delay_ms(poll)

    @cached_property
    def verdict(self) -> Verdict | None:
        return tasks.reference_verdict(self.content)

    @property
    def pending(self) -> bool:
        """Queued or running: the page polls again (for REFERENCE_POLLS polls at most)."""
        return self.verdict is None and self.poll < REFERENCE_POLLS

    @cached_property
    def shown(self) -> dict[str, Any] | None:
        """The reference's run in words, and its timeline beside the graded check's on one time
        scale (alone when the graded check has no verdict)."""
        verdict = self.verdict
        if verdict is None:
            return None
        graded = self.graded or service.graded_run(self.presentation)
        mine = graded.verdict if graded is not None and graded.verdict else None
        seconds = float(verdict.get("virtual_seconds") or 0)
        views = []
        if mine is not None:
            scale = timeline.scale_for(mine, verdict)
            views.append(
                {
                    "caption": _("Your graded check: %(seconds)s")
                    % {"seconds": timeline.seconds_text(float(mine.get("virtual_seconds") or 0))},
                    "svg": timeline.draw(mine, seconds=scale, width=COMPARE_WIDTH, legend=False),
                }
            )
        views.append(
            {
                "caption": _("The reference solution: %(seconds)s")
                % {"seconds": timeline.seconds_text(seconds)},
                "svg": timeline.draw(verdict, seconds=scale, width=COMPARE_WIDTH)
                if mine is not None
                else timeline.draw(verdict),
            }
        )
        return {
            "passed": verdict.get("passed"),
            "status_words": STATUS_WORDS.get(verdict.get("status"), verdict.get("status")),
            "program_seconds": timeline.seconds_text(seconds),
            "stdout": verdict.get("stdout", ""),
            "timelines": views,
        }


def graded_context(presentation: Presentation, run: Run, poll: int = 0) -> dict[str, Any]:
    """What the graded check's verdict changes on the card, sent out of band (`oob`) beside the
    verdict: the graded result and reference solution, the editor's practice label and Check
    button, and the card's back with the rating buttons."""
    content = presentation.card.text().content
    context: dict[str, Any] = {
        "presentation": presentation,
        "card": presentation.card,
        "kind_spec": presentation.card.kind_spec,
        "back": render_markdown(content.get("back", "")),
        "buttons": rating_buttons(presentation),
        "oob": True,
    }
    context.update(code_context(presentation, content, run=run, poll=poll))
    return context


def describe(
    verdict: Verdict, baseline: Baseline | None = None, seconds: float | None = None
) -> dict[str, Any]:
    """The verdict as a page shows it: words, ticks, events with lines, and the timelines.

    The learner's code card and the author's proof both show verdicts through this; `seconds`
    fixes the timeline's time scale, so that several runs shown together can be compared.
    """
    events: list[dict[str, Any]] = []
    for event in verdict.get("events", []):
        shown = {
            "kind": EVENT_WORDS.get(event.get("kind"), event.get("kind")),
            "line": event.get("line"),
            "message": word(event.get("message")),
            "times": 1,
        }
        # The same blocking call in a loop is one problem: say it once, with how often.
        same = next((e for e in events if e["message"] == shown["message"]), None)
        if same:
            same["times"] += 1
        else:
            events.append(shown)
    # A program can report thousands of events (a blocking call in every task): show the first.
    more_events = max(0, len(events) - MAX_EVENTS)
    events = events[:MAX_EVENTS]
    exception = verdict.get("exception") or {}
    lines = sorted({e["line"] for e in events if e["line"]} | {exception.get("line") or 0} - {0})
    checks = [
        {
            "name": check.get("name"),
            "passed": check.get("passed"),
            "message": word(check.get("message")),
        }
        for check in verdict.get("checks", [])
    ]
    described: dict[str, Any] = {
        "status": verdict.get("status"),
        "status_words": STATUS_WORDS.get(verdict.get("status"), verdict.get("status")),
        "stdout": verdict.get("stdout", ""),
        "stderr": verdict.get("stderr", ""),
        "events": events,
        "more_events": more_events,
        "lines": lines,
        "checks": checks,
        "passed": verdict.get("passed"),
        "program_seconds": timeline.seconds_text(float(verdict.get("virtual_seconds") or 0)),
        "computed_ms": round(float(verdict.get("wall_seconds") or 0) * 1000),
        "sandbox": verdict.get("sandbox", ""),
        # The exact interpreter that ran it (runs saved before versions were recorded: none).
        "python": verdict.get("python") or "",
        "timelines": timelines(verdict, baseline, seconds),
    }
    return described


def timelines(
    verdict: Verdict, baseline: Baseline | None, seconds: float | None = None
) -> list[dict[str, Any]]:
    """One timeline, or the starter's beside the learner's on the same time scale."""
    # A starter that fails or never starts the loop has no picture worth comparing with.
    if not baseline or baseline.get("status") != "ok" or not baseline.get("tasks"):
        return [{"caption": "", "svg": timeline.draw(verdict, seconds=seconds)}]
    seconds = timeline.scale_for(baseline, verdict)
    return [
        {
            "caption": _("The starter code: %(seconds)s")
            % {"seconds": timeline.seconds_text(float(baseline.get("virtual_seconds") or 0))},
            "svg": timeline.draw(baseline, seconds=seconds, width=COMPARE_WIDTH, legend=False),
        },
        {
            "caption": _("Your code: %(seconds)s")
            % {"seconds": timeline.seconds_text(float(verdict.get("virtual_seconds") or 0))},
            "svg": timeline.draw(verdict, seconds=seconds, width=COMPARE_WIDTH),
        },
    ]
