"""Chart geometry: round axis ticks, bars to scale, a year of heatmap cells with honest bands."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation

from quiz.progress import charts


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, [0, 1]),
        (4, [0, 1, 2, 3, 4]),
        (7, [0, 2, 4, 6, 8]),
        (23, [0, 5, 10, 15, 20, 25]),
        (2900, [0, 1000, 2000, 3000]),
    ],
)
def test_axis_ticks_are_round_numbers_reaching_the_top(top, ticks):
    assert charts.nice_ticks(top) == ticks


def test_bars_are_drawn_to_the_axis_scale():
    chart = charts.bar_chart([("a", 2), ("b", 4), ("c", 0)])
    a, b, c = chart.bars
    assert b.height == pytest.approx(2 * a.height)
    assert c.height == 0
    top_tick = chart.ticks[-1]
    assert top_tick.value == 4 and b.y == pytest.approx(top_tick.y)


def test_a_heatmap_has_a_cell_per_day_with_bands_the_legend_names():
    today = date(2026, 11, 26)
    counts = {today: 8, today - timedelta(days=1): 1, today - timedelta(days=400): 50}
    heatmap = charts.heatmap(counts, today)
    assert len(heatmap.cells) == 365
    assert heatmap.cells[-1].day == today and heatmap.cells[0].day == today - timedelta(364)
    levels = {cell.day: cell.level for cell in heatmap.cells}
    assert levels[today] == 4 and levels[today - timedelta(days=1)] == 1
    assert heatmap.total == 9 and heatmap.active_days == 2  # the day 400 days ago is not shown
    assert [words for _, _, words in heatmap.legend] == ["0", "1–2", "3–4", "5–6", "7–8"]


def test_percent_bars_place_the_target_on_the_same_scale():
    chart = charts.percent_bars([("half", 0.5, ""), ("none", None, "")], target=0.9)
    span = chart.right - chart.left
    assert chart.bars[0].width == pytest.approx(span / 2)
    assert chart.bars[1].width == 0 and chart.bars[1].share is None
    assert chart.target_x == pytest.approx(chart.left + 0.9 * span)


@pytest.mark.parametrize(("language", "month"), [("en", "Dec"), ("ru", "дек")])
def test_the_heatmaps_last_month_name_is_not_clipped_and_is_written_as_its_language_does(
    language, month
):
    today = date(2026, 12, 3)
    with translation.override(language):
        heatmap = charts.heatmap({today: 1}, today)
    x, name = heatmap.months[-1]
    assert name == month
    # A three-letter month at 12 px is about 30 px wide.
    assert x + 30 <= heatmap.width
