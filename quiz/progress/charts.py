"""Geometry for the server-drawn SVG charts; templates in quiz/progress/charts/ draw it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

# One viewBox width for every chart, close to the page's content width so that text drawn at
# 12 units is 12 CSS pixels in a desktop screenshot.
WIDTH = 900


def nice_ticks(top: float, most: int = 5) -> list[float]:
    """Round axis values from 0 to at least `top`: steps of 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return [0, 1]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1) if top >= 1 else step
    count = math.ceil(top / step)
    return [int(i * step) if step >= 1 else round(i * step, 10) for i in range(count + 1)]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str
    show_label: bool

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def value_y(self) -> float:
        return round(self.y - 5, 2)


@dataclass
class Tick:
    y: float
    value: float


@dataclass
class BarChart:
    """Vertical bars over labelled slots (days), a y axis with round ticks, values on bars."""

    width: int
    height: int
    left: int
    top: int
    bottom: float
    right: int
    bars: list[Bar]
    ticks: list[Tick]

    @property
    def total(self) -> float:
        return sum(bar.value for bar in self.bars)

    @property
    def label_y(self) -> float:
        return self.bottom + 18

    @property
    def axis_x(self) -> int:
        return self.left - 8


def bar_chart(points: list[tuple[str, float]], height: int = 240, label_every: int = 5) -> BarChart:
    """Bars for (label, value) points; labels come formatted, in the reader's language."""
    left, right, top, bottom_margin = 48, WIDTH - 10, 26, 34
    bottom = height - bottom_margin
    ticks = nice_ticks(max((value for _, value in points), default=0))
    scale = (bottom - top) / ticks[-1]
    slot = (right - left) / max(len(points), 1)
    gap = min(6.0, slot * 0.2)
    bars = []
    for i, (label, value) in enumerate(points):
        h = value * scale
        bars.append(
            Bar(
                x=round(left + i * slot + gap / 2, 2),
                y=round(bottom - h, 2),
                width=round(slot - gap, 2),
                height=round(h, 2),
                value=value,
                label=label,
                show_label=len(points) <= 14 or i % label_every == 0,
            )
        )
    return BarChart(
        width=WIDTH,
        height=height,
        left=left,
        top=top,
        bottom=bottom,
        right=right,
        bars=bars,
        ticks=[Tick(round(bottom - t * scale, 2), t) for t in ticks],
    )


@dataclass
class HBar:
    y: float
    width: float
    share: float | None
    label: str
    note: str
    end: float
    height: int = 20

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass
class HBarChart:
    """Horizontal bars on a 0–100 % scale, one per row, with an optional target line."""

    width: int
    height: int
    left: int
    right: int
    row: int
    bars: list[HBar]
    ticks: list[tuple[float, int]]
    target_x: float | None
    target: float | None

    @property
    def bottom(self) -> int:
        return self.height - 22

    @property
    def label_x(self) -> int:
        return self.left - 10

    @property
    def tick_label_y(self) -> int:
        return self.height - 6


def percent_bars(
    rows: list[tuple[str, float | None, str]], target: float | None = None
) -> HBarChart:
    """One bar per (label, share 0..1 or None, note) row; `target` draws a dashed line."""
    left, right, row, top = 220, WIDTH - 190, 28, 24
    span = right - left
    bars = [
        HBar(
            y=top + i * row,
            width=round(span * (share or 0), 2),
            share=share,
            label=label,
            note=note,
            end=round(left + span * (share or 0), 2),
        )
        for i, (label, share, note) in enumerate(rows)
    ]
    return HBarChart(
        width=WIDTH,
        height=top + row * len(rows) + 26,
        left=left,
        right=right,
        row=row,
        bars=bars,
        ticks=[(left + span * p / 100, p) for p in range(0, 101, 25)],
        target_x=None if target is None else round(left + span * target, 2),
        target=target,
    )


@dataclass
class Cell:
    x: int
    y: int
    day: date
    count: int
    level: int


@dataclass
class Heatmap:
    """A year of days as GitHub-style weeks (columns) by weekdays (rows), Monday on top."""

    width: int
    height: int
    cell: int
    cells: list[Cell]
    months: list[tuple[int, Any]]
    weekdays: list[tuple[int, Any]]
    legend: list[tuple[int, int, str]]
    legend_y: int
    total: int
    active_days: int

    @property
    def cells_svg(self) -> SafeString:
        """The year's cells; joined here, not in a template loop, which costs ~40 ms a page."""
        return format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" rx="2" class="level{}">'
            "<title>{}: {}</title></rect>",
            (
                (c.x, c.y, self.cell, self.cell, c.level, c.day.isoformat(), c.count)
                for c in self.cells
            ),
        )


def heatmap(counts: dict[date, int], today: date, days: int = 365) -> Heatmap:
    cell, gap, left, top = 14, 3, 36, 22
    pitch = cell + gap
    first = today - timedelta(days=days - 1)
    start = first - timedelta(days=first.weekday())
    shown = {day: n for day, n in counts.items() if first <= day <= today}
    peak = max(shown.values(), default=0)
    # Four equal bands up to the busiest day, so the legend can say what each shade means.
    band = max(1, math.ceil(peak / 4))
    cells, months = [], []
    day = start
    while day <= today:
        week = (day - start).days // 7
        if day >= first:
            n = shown.get(day, 0)
            level = 0 if n == 0 else min(4, 1 + (n - 1) // band)
            cells.append(Cell(left + week * pitch, top + day.weekday() * pitch, day, n, level))
            if day.day == 1 or day == first:
                months.append((left + week * pitch, date_format(day, "SHORT_MONTH_FORMAT")))
        day += timedelta(days=1)
    # Drop the first month's label when the next one would collide with it.
    if len(months) > 1 and months[1][0] - months[0][0] < 3 * pitch:
        months.pop(0)
    legend_y = top + 7 * pitch + 10
    legend = [(left + 130, 0, "0")] + [
        (
            left + 130 + (i + 1) * 80,
            i + 1,
            f"{i * band + 1}–{(i + 1) * band}" if band > 1 else str(i + 1),
        )
        for i in range(4)
    ]
    weeks = (today - start).days // 7 + 1
    return Heatmap(
        # Room after the last week for the last month's name.
        width=max(WIDTH, left + weeks * pitch + 3 * pitch),
        height=legend_y + cell + 8,
        cell=cell,
        cells=cells,
        months=months,
        weekdays=[(top + i * pitch + cell - 3, WEEKDAYS_ABBR[i]) for i in (0, 2, 4)],
        legend=legend,
        legend_y=legend_y,
        total=sum(shown.values()),
        active_days=sum(1 for n in shown.values() if n),
    )


@dataclass
class Series:
    """One line of a line chart: its name, a CSS class for its colour, its points."""

    name: str
    css: str
    points: list[tuple[float, float, float]]  # (x, y, value)

    @property
    def path(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _ in self.points)


@dataclass
class LineChart:
    """Lines over labelled x slots (e.g. desired retentions), a y axis with round ticks."""

    width: int
    height: int
    left: int
    top: int
    bottom: float
    right: int
    labels: list[tuple[float, str]]
    series: list[Series]
    ticks: list[Tick]
    marker_x: float | None = None

    @property
    def label_y(self) -> float:
        return self.bottom + 18

    @property
    def axis_x(self) -> int:
        return self.left - 8

    @property
    def legend(self) -> list[tuple[float, Series]]:
        return [(self.left + 10 + i * 190, series) for i, series in enumerate(self.series)]

    @property
    def legend_y(self) -> int:
        return self.top - 12


def line_chart(
    labels: list[str],
    lines: list[tuple[str, str, list[float]]],
    height: int = 280,
    marker: int | None = None,
) -> LineChart:
    """A line per (name, css class, values) over the `labels`' slots; `marker` is the index of
    a slot to mark (the current choice)."""
    left, right, top, bottom_margin = 56, WIDTH - 20, 40, 34
    bottom = height - bottom_margin
    ticks = nice_ticks(max((v for _, _, values in lines for v in values), default=0))
    scale = (bottom - top) / ticks[-1]
    step = (right - left) / max(len(labels) - 1, 1)
    xs = [round(left + i * step, 2) for i in range(len(labels))]
    series = [
        Series(
            name,
            css,
            [(x, round(bottom - v * scale, 2), v) for x, v in zip(xs, values, strict=True)],
        )
        for name, css, values in lines
    ]
    return LineChart(
        width=WIDTH,
        height=height,
        left=left,
        top=top,
        bottom=bottom,
        right=right,
        labels=list(zip(xs, labels, strict=True)),
        series=series,
        ticks=[Tick(round(bottom - t * scale, 2), t) for t in ticks],
        marker_x=xs[marker] if marker is not None else None,
    )
