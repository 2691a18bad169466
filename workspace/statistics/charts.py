"""Server-rendered bar charts: the geometry in Python, the SVG in a template
(``workspace/statistics/_chart.html``), colours from classes in ``static/css/statistics.css``
(the Content-Security-Policy allows no inline style). One horizontal bar per charted series
and row, so long names of colonias and companies fit a phone's width."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format

from .registry import MEDIAN, RATIO
from .selectors import Figures

# A phone's width (about 360 CSS px) shows the chart at ~0.85 of this size, text still legible.
WIDTH = 420
LABEL_WIDTH = 140
BAR_AREA = 230
BAR_HEIGHT = 16
BAR_GAP = 3
ROW_GAP = 12
MAX_ROWS = 40  # the largest ones; the table beside the chart has every row


@dataclass
class Bar:
    series: int
    x: int
    y: int
    width: int
    height: int
    value_x: int
    value_y: int
    value: str


@dataclass
class ChartRow:
    label: str
    label_y: int
    bars: list[Bar]


@dataclass
class Chart:
    width: int
    height: int
    label_width: int
    rows: list[ChartRow]
    legend: list[tuple[int, str]]
    truncated: int  # rows left out of the chart


def _formatted(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == RATIO:
        return f"{number_format(value, 1)} %"
    if kind == MEDIAN:
        return number_format(value, 1)
    return number_format(value, 0, force_grouping=True)


def bar_chart(figures: Figures) -> Chart:
    charted = [(index, s) for index, s in enumerate(figures.series) if s.chart]
    rows = figures.rows[:MAX_ROWS]
    peak = (
        max([float(row.values[index] or 0) for row in rows for index, _ in charted] + [0.0]) or 1.0
    )
    step = len(charted) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    chart_rows = []
    for position, row in enumerate(rows):
        top = position * step
        bars = []
        for slot, (index, series) in enumerate(charted):
            value = row.values[index]
            width = round(BAR_AREA * float(value or 0) / peak)
            y = top + slot * (BAR_HEIGHT + BAR_GAP)
            bars.append(
                Bar(
                    series=slot,
                    x=LABEL_WIDTH,
                    y=y,
                    width=width,
                    height=BAR_HEIGHT,
                    value_x=LABEL_WIDTH + width + 4,
                    value_y=y + BAR_HEIGHT - 3,
                    value=_formatted(value, series.kind),
                )
            )
        label = row.label if len(row.label) <= 20 else row.label[:19] + "…"
        chart_rows.append(ChartRow(label=label, label_y=top + BAR_HEIGHT - 3, bars=bars))
    return Chart(
        width=WIDTH,
        height=max(len(rows) * step, step),
        label_width=LABEL_WIDTH,
        rows=chart_rows,
        legend=[(slot, str(series.label)) for slot, (_, series) in enumerate(charted)],
        truncated=max(len(figures.rows) - MAX_ROWS, 0),
    )
