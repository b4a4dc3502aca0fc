"""The timeline of a run: an SVG drawn on the server from the verdict's task spans.

One row per task over virtual time. A task is *scheduled* from creation to its first step,
*waiting* (asleep, or on I/O) between steps, *waiting for other tasks* while it awaits them, and
*blocking the loop* while a blocking call (time.sleep) holds the event loop; that stretch is
also shaded across every row, since no task could run during it. Steps themselves take no
virtual time, so they are drawn as short dark marks.

This module computes the geometry and writes it out as SVG: a run draws hundreds of shapes, which
the template engine took milliseconds to write (every text escaped all the same).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import ClassVar

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from quiz.runs.verdicts import Baseline, TaskSpan

MAX_ROWS = 12
ROW = 30
BAR = 16
TOP = 26
AXIS = 28
LEGEND = 24
STEPS = (0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600)


@dataclass
class Layout:
    width: int
    seconds: float
    left: int
    right: int = 14

    def x(self, t: float) -> float:
        span = self.width - self.left - self.right
        return round(self.left + span * max(0.0, min(t, self.seconds)) / self.seconds, 2)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    rx: int = 0
    tip: str = ""  # shown on hover
    shape: ClassVar[str] = "rect"

    def svg(self) -> str:
        rounded = f' rx="{self.rx}"' if self.rx else ""
        start = (
            f'<rect x="{self.x}" y="{self.y}" width="{self.width}" height="{self.height}"'
            f'{rounded} class="{escape(self.css)}"'
        )
        return f"{start}><title>{escape(self.tip)}</title></rect>" if self.tip else f"{start}/>"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str
    shape: ClassVar[str] = "line"

    def svg(self) -> str:
        return (
            f'<line x1="{self.x1}" y1="{self.y1}" x2="{self.x2}" y2="{self.y2}" '
            f'class="{escape(self.css)}"/>'
        )


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    css: str
    anchor: str = ""
    task: str | None = None  # a row's label ends with the task's name, smaller
    shape: ClassVar[str] = "text"

    def svg(self) -> str:
        anchor = f' text-anchor="{escape(self.anchor)}"' if self.anchor else ""
        task = ""
        if self.task is not None:
            task = f'<tspan class="tl-task"> {escape(self.task)}</tspan>'
        return (
            f'<text x="{self.x}" y="{self.y}"{anchor} class="{escape(self.css)}">'
            f"{escape(self.text)}{task}</text>"
        )


Shape = Rect | Line | Text


@dataclass
class Timeline:
    """The SVG's frame and its shapes in drawing order, in SVG units."""

    width: int
    top: int
    height: int
    title: str
    shapes: list[Shape]

    def svg(self) -> str:
        title = escape(self.title)
        return "\n".join(
            [
                f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" '
                f'viewBox="0 {self.top} {self.width} {self.height}" width="{self.width}" '
                f'height="{self.height}" role="img" aria-label="{title}">',
                f"<title>{title}</title>",
                HATCH,
                *(shape.svg() for shape in self.shapes),
                "</svg>",
            ]
        )


# The pattern that fills a blocking stretch (.tl-blocked in timeline.css).
HATCH = (
    '<defs><pattern id="tl-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e03131"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2" stroke-opacity=".45"/>'
    "</pattern></defs>"
)


def note_svg(width: int, note: str) -> str:
    """A run without tasks: say so, in a strip."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" viewBox="0 0 {width} 30" '
        f'width="{width}" height="30" role="img" aria-label="{escape(note)}">'
        f'<text x="8" y="19">{escape(note)}</text></svg>'
    )


def seconds_text(seconds: float) -> str:
    """3 → "3 s", 0.25 → "0.25 s", in the learner's language ("0,25 с")."""
    return _seconds_text(get_language(), f"{seconds:.2f}")


@lru_cache(maxsize=4096)
def _seconds_text(language: str | None, fixed: str) -> str:
    # A timeline writes dozens of these; formatting a number for a language is the slow part.
    number = number_format(Decimal(fixed.rstrip("0").rstrip(".")))
    return _("%(seconds)s s") % {"seconds": number}


def tick_step(seconds: float) -> float:
    return next((step for step in STEPS if seconds / step <= 8), STEPS[-1])


def scale_for(*verdicts: Baseline | None) -> float:
    """One time scale for runs drawn side by side, so equal lengths mean equal time."""
    longest = max((float(v.get("virtual_seconds") or 0) for v in verdicts if v), default=0.0)
    ends = [float(span.get("finished") or 0) for v in verdicts if v for span in v.get("tasks", [])]
    longest = max([longest, *ends])
    if longest <= 0:
        return 1.0
    step = tick_step(longest)
    return math.ceil(longest / step - 1e-9) * step


def draw(
    verdict: Baseline, seconds: float | None = None, width: int = 720, legend: bool = True
) -> SafeString:
    """The timeline as inline SVG; `seconds` fixes the time scale (to compare two runs).

    The starter's and the reference solution's runs are drawn for every learner the same: each
    drawing is kept per process, by what it is drawn from and the language it is labelled in."""
    drawn_from = {name: verdict[name] for name in DRAWN_FROM if name in verdict}
    drawn = json.dumps(drawn_from, sort_keys=True, separators=(",", ":"), default=str)
    return _drawn(get_language(), drawn, seconds, width, legend)


# What of a verdict the drawing reads (the task spans keep at most the first 100 tasks).
DRAWN_FROM = ("tasks", "task_count", "virtual_seconds")


@lru_cache(maxsize=512)
def _drawn(
    language: str | None, verdict: str, seconds: float | None, width: int, legend: bool
) -> SafeString:
    return _draw(json.loads(verdict), seconds, width, legend)


def _draw(verdict: Baseline, seconds: float | None, width: int, legend: bool) -> SafeString:
    tasks = [span for span in verdict.get("tasks", []) if span.get("created") is not None]
    if not tasks:
        svg = note_svg(width, _("No tasks ran: the program never started the event loop."))
    else:
        svg = geometry(verdict, tasks, seconds, width, legend).svg()
    # Every text in it is escaped (`svg()`), task names from the learner's code included.
    return mark_safe(svg)  # noqa: S308


def geometry(
    verdict: Baseline, tasks: list[TaskSpan], seconds: float | None, width: int, legend: bool
) -> Timeline:
    """Where everything goes: blocked stretches, axis, one row per task (the first MAX_ROWS)."""
    end = float(verdict.get("virtual_seconds") or 0)
    # Room on the right for how a task ended ("✗ ValueError", "still waiting").
    marked = any(_end_mark(span) for span in tasks)
    layout = Layout(
        width=width,
        seconds=seconds or scale_for(verdict),
        left=min(170, int(width / 3.2)),
        right=110 if marked else 14,
    )
    shown = tasks[:MAX_ROWS]
    rows = len(shown) + (1 if len(tasks) > MAX_ROWS else 0)
    plot_bottom = TOP + max(rows, 1) * ROW
    key, key_height = _legend(plot_bottom + AXIS, width) if legend else ([], 0)
    height = plot_bottom + AXIS + key_height
    title = _("Timeline of %(tasks)s tasks over %(seconds)s of program time") % {
        "tasks": max(len(tasks), int(verdict.get("task_count") or 0)),
        "seconds": seconds_text(end),
    }
    # The strip above the rows is for "loop blocked" labels; without any, the view skips it.
    skip = 0 if any(span.get("blocked") for span in tasks) else TOP - 10
    shapes = _blocked_bands(tasks, layout, plot_bottom) + _axis(layout, plot_bottom)
    for index, span in enumerate(shown):
        shapes += _row(span, TOP + index * ROW, layout, end)
    if len(tasks) > MAX_ROWS:
        total = max(len(tasks), int(verdict.get("task_count") or 0))
        more = _("… and %(count)s more tasks") % {"count": total - MAX_ROWS}
        shapes.append(Text(8, TOP + MAX_ROWS * ROW + ROW // 2 + 4, more, "tl-label"))
    return Timeline(width, top=skip, height=height - skip, title=title, shapes=shapes + key)


def _blocked_bands(tasks: list[TaskSpan], layout: Layout, bottom: int) -> list[Shape]:
    """While the loop is blocked no task can run: shade that stretch over every row.

    Back-to-back blocking calls make one stretch, labelled once.
    """
    stretches: list[list[float]] = []
    for start, stop in sorted(tuple(b) for span in tasks for b in span.get("blocked", [])):
        if stretches and start <= stretches[-1][1] + 1e-9:
            stretches[-1][1] = max(stretches[-1][1], stop)
        else:
            stretches.append([start, stop])
    label = _("loop blocked")
    shapes: list[Shape] = []
    for start, stop in stretches:
        x1, x2 = layout.x(start), layout.x(stop)
        shapes.append(Rect(x1, TOP - 6, max(x2 - x1, 2), bottom - TOP + 6, "tl-band"))
        shapes.append(Text((x1 + x2) / 2, TOP - 10, label, "tl-band-label", anchor="middle"))
    return shapes


def _axis(layout: Layout, bottom: int) -> list[Shape]:
    step = tick_step(layout.seconds)
    shapes: list[Shape] = [
        Line(layout.left, bottom, layout.width - layout.right, bottom, "tl-axis")
    ]
    count = int(round(layout.seconds / step))
    for i in range(count + 1):
        t = i * step
        x = layout.x(t)
        shapes.append(Line(x, TOP - 4, x, bottom + 4, "tl-grid"))
        shapes.append(Text(x, bottom + 17, seconds_text(t), "tl-tick", anchor="middle"))
    caption = _("program time")
    shapes.append(Text(layout.left - 14, bottom + 17, caption, "tl-tick", anchor="end"))
    return shapes


def _row(span: TaskSpan, top: int, layout: Layout, end: float) -> list[Shape]:
    created = float(span["created"] or 0)
    started = span.get("started")
    finished = span.get("finished")
    stop = float(finished) if finished is not None else end
    y = top + (ROW - BAR) // 2
    name = span.get("coro") or span.get("name") or "?"
    label = f"{name}()" if span.get("coro") else name
    task = span.get("name", "")
    shapes: list[Shape] = [Text(layout.left - 8, y + BAR - 3, label, "tl-label", "end", task)]

    def bar(start: float, stop: float, css: str, what: str) -> None:
        x1, x2 = layout.x(start), layout.x(stop)
        tip = f"{what}: {seconds_text(start)} – {seconds_text(stop)}"
        shapes.append(Rect(x1, y, max(x2 - x1, 1.5), BAR, css, rx=3, tip=tip))

    if started is None:
        bar(created, stop, "tl-scheduled", _("scheduled, never started"))
        return shapes
    started = float(started)
    if started > created:
        bar(created, started, "tl-scheduled", _("scheduled"))
    bar(started, stop, "tl-waiting", _("waiting"))
    for a, b in span.get("awaiting_tasks", []):
        bar(float(a), float(b), "tl-awaiting", _("waiting for other tasks"))
    # A step takes no virtual time: mark the moments the task ran as short dark bars.
    moments = {started, *(float(b) for _a, b in span.get("awaiting_tasks", []))}
    if finished is not None:
        moments.add(float(finished))
    for t in sorted(moments):
        x = min(layout.x(t), layout.width - layout.right - 3)
        shapes.append(Rect(x, y - 2, 3, BAR + 4, "tl-step"))
    for a, b in span.get("blocked", []):
        bar(float(a), float(b), "tl-blocked", _("blocked the event loop"))
        x1, x2 = layout.x(float(a)), layout.x(float(b))
        text = _("blocked %(seconds)s") % {"seconds": seconds_text(float(b) - float(a))}
        if x2 - x1 > 70:
            shapes.append(Text((x1 + x2) / 2, y + BAR - 4, text, "tl-blocked-label", "middle"))
    mark = _end_mark(span)
    if mark:
        shapes.append(Text(layout.x(stop) + 5, y + BAR - 3, mark, "tl-end"))
    return shapes


def _end_mark(span: TaskSpan) -> str:
    """How a task ended, when not normally: its exception, cancelled, or still waiting."""
    result = span.get("result")
    if result == "error":
        return "✗ " + (span.get("exception") or _("error"))
    if result == "cancelled":
        return "✗ " + _("cancelled")
    if result == "pending" and span.get("started") is not None:
        return _("still waiting…")
    return ""


def _legend(top: int, width: int) -> tuple[list[Shape], int]:
    """The key to the colours, wrapped to the width; returns its shapes and its height."""
    items = [
        ("tl-step", _("runs a step")),
        ("tl-waiting", _("waiting (sleep, I/O)")),
        ("tl-awaiting", _("waiting for other tasks")),
        ("tl-blocked", _("blocks the event loop")),
    ]
    shapes: list[Shape] = []
    x, y = 8, top
    for css, text in items:
        wide = 32 + int(len(text) * 7.2)
        if x > 8 and x + wide > width:
            x, y = 8, y + LEGEND - 6
        shapes.append(Rect(x, y + 4, 14, 12, css, rx=2))
        shapes.append(Text(x + 19, y + 14, text, "tl-legend"))
        x += wide
    return shapes, y - top + LEGEND - 4
