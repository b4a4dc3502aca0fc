"""The timeline of a run: an SVG drawn on the server from the verdict's task spans.

One row per task over virtual time. A task is *scheduled* from creation to its first step,
*waiting* (asleep, or on I/O) between steps, *waiting for other tasks* while it awaits them, and
*blocking the loop* while a blocking call (time.sleep) holds the event loop; that stretch is
also shaded across every row, since no task could run during it. Steps themselves take no
virtual time, so they are drawn as short dark marks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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


def seconds_text(seconds: float) -> str:
    """3 → "3 s", 0.25 → "0.25 s", in the learner's language."""
    number = f"{seconds:.2f}".rstrip("0").rstrip(".")
    return _("%(seconds)s s") % {"seconds": number}


def tick_step(seconds: float) -> float:
    return next((step for step in STEPS if seconds / step <= 8), STEPS[-1])


def scale_for(*verdicts: dict[str, Any] | None) -> float:
    """One time scale for runs drawn side by side, so equal lengths mean equal time."""
    longest = max((float(v.get("virtual_seconds") or 0) for v in verdicts if v), default=0.0)
    ends = [float(span.get("finished") or 0) for v in verdicts if v for span in v.get("tasks", [])]
    longest = max([longest, *ends])
    if longest <= 0:
        return 1.0
    step = tick_step(longest)
    return math.ceil(longest / step - 1e-9) * step


def draw(
    verdict: dict[str, Any], seconds: float | None = None, width: int = 720, legend: bool = True
) -> SafeString:
    """The timeline as inline SVG; `seconds` fixes the time scale (to compare two runs)."""
    tasks = [span for span in verdict.get("tasks", []) if span.get("created") is not None]
    end = float(verdict.get("virtual_seconds") or 0)
    if not tasks:
        return _no_tasks(width)
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
        "tasks": len(tasks),
        "seconds": seconds_text(end),
    }
    # The strip above the rows is for "loop blocked" labels; without any, the view skips it.
    skip = 0 if any(span.get("blocked") for span in tasks) else TOP - 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" viewBox="0 {skip} {width} '
        f'{height - skip}" width="{width}" height="{height - skip}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        STYLE,
        _defs(),
    ]
    parts += _blocked_bands(tasks, layout, plot_bottom)
    parts += _axis(layout, plot_bottom)
    for index, span in enumerate(shown):
        parts += _row(span, TOP + index * ROW, layout, end)
    if len(tasks) > MAX_ROWS:
        more = _("… and %(count)s more tasks") % {"count": len(tasks) - MAX_ROWS}
        y = TOP + MAX_ROWS * ROW + ROW // 2 + 4
        parts.append(f'<text x="8" y="{y}" class="tl-label">{escape(more)}</text>')
    parts += key
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text in it went through escape)


def _defs() -> str:
    return (
        "<defs>"
        '<pattern id="tl-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e03131"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2" '
        'stroke-opacity=".45"/></pattern>'
        "</defs>"
    )


def _blocked_bands(tasks: list[dict[str, Any]], layout: Layout, bottom: int) -> list[str]:
    """While the loop is blocked no task can run: shade that stretch over every row.

    Back-to-back blocking calls make one stretch, labelled once.
    """
    stretches: list[list[float]] = []
    for start, stop in sorted(tuple(b) for span in tasks for b in span.get("blocked", [])):
        if stretches and start <= stretches[-1][1] + 1e-9:
            stretches[-1][1] = max(stretches[-1][1], stop)
        else:
            stretches.append([start, stop])
    label = escape(_("loop blocked"))
    parts = []
    for start, stop in stretches:
        x1, x2 = layout.x(start), layout.x(stop)
        parts.append(
            f'<rect x="{x1}" y="{TOP - 6}" width="{max(x2 - x1, 2)}" '
            f'height="{bottom - TOP + 6}" class="tl-band"/>'
        )
        parts.append(
            f'<text x="{(x1 + x2) / 2}" y="{TOP - 10}" text-anchor="middle" '
            f'class="tl-band-label">{label}</text>'
        )
    return parts


def _axis(layout: Layout, bottom: int) -> list[str]:
    step = tick_step(layout.seconds)
    parts = [
        f'<line x1="{layout.left}" y1="{bottom}" x2="{layout.width - layout.right}" '
        f'y2="{bottom}" class="tl-axis"/>'
    ]
    count = int(round(layout.seconds / step))
    for i in range(count + 1):
        t = i * step
        x = layout.x(t)
        parts.append(f'<line x1="{x}" y1="{TOP - 4}" x2="{x}" y2="{bottom + 4}" class="tl-grid"/>')
        parts.append(
            f'<text x="{x}" y="{bottom + 17}" text-anchor="middle" class="tl-tick">'
            f"{escape(seconds_text(t))}</text>"
        )
    caption = _("program time")
    parts.append(
        f'<text x="{layout.left - 14}" y="{bottom + 17}" text-anchor="end" class="tl-tick">'
        f"{escape(caption)}</text>"
    )
    return parts


def _row(span: dict[str, Any], top: int, layout: Layout, end: float) -> list[str]:
    created = float(span["created"])
    started = span.get("started")
    finished = span.get("finished")
    stop = float(finished) if finished is not None else end
    y = top + (ROW - BAR) // 2
    name = span.get("coro") or span.get("name") or "?"
    label = f"{name}()" if span.get("coro") else name
    parts = [
        f'<text x="{layout.left - 8}" y="{y + BAR - 3}" text-anchor="end" class="tl-label">'
        f'{escape(label)}<tspan class="tl-task"> {escape(span.get("name", ""))}</tspan></text>'
    ]

    def bar(start: float, stop: float, css: str, what: str) -> None:
        x1, x2 = layout.x(start), layout.x(stop)
        tip = f"{what}: {seconds_text(start)} – {seconds_text(stop)}"
        parts.append(
            f'<rect x="{x1}" y="{y}" width="{max(x2 - x1, 1.5)}" height="{BAR}" rx="3" '
            f'class="{css}"><title>{escape(tip)}</title></rect>'
        )

    if started is None:
        bar(created, stop, "tl-scheduled", _("scheduled, never started"))
        return parts
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
        parts.append(f'<rect x="{x}" y="{y - 2}" width="3" height="{BAR + 4}" class="tl-step"/>')
    for a, b in span.get("blocked", []):
        bar(float(a), float(b), "tl-blocked", _("blocked the event loop"))
        x1, x2 = layout.x(float(a)), layout.x(float(b))
        text = _("blocked %(seconds)s") % {"seconds": seconds_text(float(b) - float(a))}
        if x2 - x1 > 70:
            parts.append(
                f'<text x="{(x1 + x2) / 2}" y="{y + BAR - 4}" text-anchor="middle" '
                f'class="tl-blocked-label">{escape(text)}</text>'
            )
    mark = _end_mark(span)
    if mark:
        parts.append(
            f'<text x="{layout.x(stop) + 5}" y="{y + BAR - 3}" class="tl-end">{escape(mark)}</text>'
        )
    return parts


def _end_mark(span: dict[str, Any]) -> str:
    """How a task ended, when not normally: its exception, cancelled, or still waiting."""
    result = span.get("result")
    if result == "error":
        return "✗ " + (span.get("exception") or _("error"))
    if result == "cancelled":
        return "✗ " + _("cancelled")
    if result == "pending" and span.get("started") is not None:
        return _("still waiting…")
    return ""


def _no_tasks(width: int) -> SafeString:
    note = _("No tasks ran: the program never started the event loop.")
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" viewBox="0 0 {} 30" '
        'width="{}" height="30" role="img" aria-label="{}">{}<text x="8" y="19">{}</text></svg>',
        width,
        width,
        note,
        mark_safe(STYLE),  # noqa: S308  (a constant)
        note,
    )


def _legend(top: int, width: int) -> tuple[list[str], int]:
    """The key to the colours, wrapped to the width; returns its parts and its height."""
    items = [
        ("tl-step", _("runs a step")),
        ("tl-waiting", _("waiting (sleep, I/O)")),
        ("tl-awaiting", _("waiting for other tasks")),
        ("tl-blocked", _("blocks the event loop")),
    ]
    parts = []
    x, y = 8, top
    for css, text in items:
        wide = 32 + int(len(text) * 7.2)
        if x > 8 and x + wide > width:
            x, y = 8, y + LEGEND - 6
        parts.append(f'<rect x="{x}" y="{y + 4}" width="14" height="12" rx="2" class="{css}"/>')
        parts.append(f'<text x="{x + 19}" y="{y + 14}" class="tl-legend">{escape(text)}</text>')
        x += wide
    return parts, y - top + LEGEND - 4


STYLE = (
    "<style>"
    ".timeline-svg text{font:13px system-ui,'DejaVu Sans',sans-serif;fill:#1d2433}"
    ".timeline-svg .tl-task{fill:#5f6b7f;font-size:11px}"
    ".timeline-svg .tl-tick,.timeline-svg .tl-legend{fill:#5f6b7f;font-size:12px}"
    ".tl-axis{stroke:#5f6b7f;stroke-width:1}"
    ".tl-grid{stroke:#dde2ec;stroke-width:1}"
    ".tl-scheduled{fill:#fff;stroke:#adb5bd;stroke-dasharray:3 2}"
    ".tl-waiting{fill:#a5d8ff;stroke:#4dabf7}"
    ".tl-awaiting{fill:#e9ecef;stroke:#ced4da}"
    ".tl-step{fill:#1d2433}"
    ".tl-blocked{fill:url(#tl-hatch);stroke:#c92a2a}"
    ".tl-band{fill:#ffe3e3;opacity:.75}"
    ".timeline-svg .tl-band-label{fill:#c92a2a;font-size:12px;font-weight:600}"
    ".timeline-svg .tl-blocked-label{fill:#fff;font-size:12px;font-weight:700}"
    ".timeline-svg .tl-end{fill:#c92a2a;font-size:12px}"
    "</style>"
)
