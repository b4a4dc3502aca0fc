"""The timeline SVG: a row per task over program time, blocked stretches marked, an axis."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from django.utils import translation

from quiz.runs import timeline

SVG = "{http://www.w3.org/2000/svg}"

# Two tasks; the second blocks the loop with time.sleep(0.5) from 1.0 s to 1.5 s.
VERDICT = {
    "virtual_seconds": 2.5,
    "tasks": [
        {
            "name": "Task-1",
            "coro": "main",
            "created": 0.0,
            "started": 0.0,
            "finished": 2.5,
            "result": "ok",
            "blocked": [],
            "awaiting_tasks": [[0.0, 2.5]],
        },
        {
            "name": "Task-2",
            "coro": "fetch",
            "created": 0.0,
            "started": 0.0,
            "finished": 2.5,
            "result": "ok",
            "blocked": [[1.0, 1.5]],
            "awaiting_tasks": [],
        },
        {
            "name": "<script>",
            "coro": "late",
            "created": 0.0,
            "started": 1.5,
            "finished": 2.0,
            "result": "error",
            "exception": "ValueError",
            "blocked": [],
            "awaiting_tasks": [],
        },
    ],
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_it_draws_one_labelled_row_per_task():
    root = parse(timeline.draw(VERDICT))
    labels = [t for t in texts(root) if "Task-" in t or "late()" in t]
    assert labels == ["main() Task-1", "fetch() Task-2", "late() <script>"]


def test_the_blocked_stretch_is_marked_and_shaded_over_every_row():
    root = parse(timeline.draw(VERDICT, width=720))
    rows = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    blocked = [r for r in rows if r.get("class") == "tl-blocked"]
    band = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "tl-band"]
    assert len(blocked) == 1 and len(band) == 1
    assert "blocked the event loop: 1 s – 1.5 s" in "".join(blocked[0].itertext())
    assert float(band[0].get("height")) > 2 * timeline.ROW
    assert "loop blocked" in texts(root)


def test_running_waiting_and_awaiting_stretches_have_their_own_look():
    classes = {r.get("class") for r in parse(timeline.draw(VERDICT)).iter(f"{SVG}rect")}
    assert {"tl-waiting", "tl-awaiting", "tl-blocked", "tl-step", "tl-scheduled"} <= classes


def test_the_axis_counts_seconds_of_program_time():
    ticks = [t for t in texts(parse(timeline.draw(VERDICT))) if re.fullmatch(r"[\d.]+ s", t)]
    assert ticks == ["0 s", "0.5 s", "1 s", "1.5 s", "2 s", "2.5 s"]


def test_a_task_that_failed_says_how():
    assert "✗ ValueError" in texts(parse(timeline.draw(VERDICT)))


def test_task_names_from_the_learners_code_are_escaped():
    svg = timeline.draw(VERDICT)
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_two_runs_drawn_for_comparison_share_one_time_scale():
    slow = {**VERDICT, "virtual_seconds": 6.0}
    seconds = timeline.scale_for(slow, VERDICT)
    fast_axis = texts(parse(timeline.draw(VERDICT, seconds=seconds)))
    assert seconds == 6 and "6 s" in fast_axis


def test_it_speaks_russian():
    with translation.override("ru"):
        words = texts(parse(timeline.draw(VERDICT)))
    assert "цикл заблокирован" in words and "1,5 с" in words


def test_a_program_without_tasks_says_so():
    words = texts(parse(timeline.draw({"virtual_seconds": 0, "tasks": []})))
    assert "No tasks ran: the program never started the event loop." in words


def test_a_drawing_kept_for_the_next_learner_is_in_their_language():
    """Drawings are kept per process (every learner sees the same reference run): one drawn in
    English is not shown to a learner reading Russian, nor the other way round."""
    english = timeline.draw(VERDICT)
    with translation.override("ru"):
        russian = timeline.draw(VERDICT)
    assert "1,5 с" in texts(parse(russian)) and "1,5 с" not in texts(parse(english))
    assert timeline.draw(VERDICT) == english


def test_a_drawing_is_of_the_run_it_is_asked_for():
    longer = {**VERDICT, "virtual_seconds": 4.0}
    assert timeline.draw(longer) != timeline.draw(VERDICT)
    assert "4 s" in texts(parse(timeline.draw(longer)))
