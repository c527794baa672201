"""The geometry of the dashboard's SVG charts; templates draw it (classes styled by dashboard.css, so the
Content-Security-Policy needs no inline style and the charts need no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from storefront.upstream.networks import STABLECOINS

PLOT_LEFT = 48
PLOT_TOP = 8
PLOT_BOTTOM = 24


def coin_class(coin: str) -> str:
    """Return the CSS class that colours a coin (the shop's stablecoins, else one shared colour)."""
    return f"coin-{coin.lower()}" if coin.upper() in STABLECOINS else "coin-other"


def nice_ceiling(value: float) -> float:
    """Return a round number at or above `value` for the top of an axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    series: str
    value: Decimal | int
    css: str


@dataclass(frozen=True)
class Tick:
    position: float
    value: float | date


@dataclass(frozen=True)
class DailyChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_bottom: float
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    series: list[tuple[str, str]]
    total: Decimal | int


def daily_stacked_bars(
    *, days: list[date], values: dict[str, dict[date, Decimal | int]], width: int = 560, height: int = 200
) -> DailyChart:
    """Return one stacked column per day, one segment per series (coin), on a shared round axis."""
    series = sorted(values)
    totals = {day: sum(values[name].get(day, 0) for name in series) for day in days}
    top = nice_ceiling(float(max(totals.values(), default=0)))
    plot_width = width - PLOT_LEFT - 8
    plot_height = height - PLOT_TOP - PLOT_BOTTOM
    slot = plot_width / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        stacked = 0.0
        for name in series:
            value = values[name].get(day, 0)
            if not value:
                continue
            bar_height = plot_height * float(value) / top
            stacked += bar_height
            bars.append(Bar(
                x=round(PLOT_LEFT + index * slot + slot * 0.1, 2),
                y=round(PLOT_TOP + plot_height - stacked, 2),
                width=round(slot * 0.8, 2), height=round(bar_height, 2), day=day, series=name, value=value,
                css=coin_class(name),
            ))
    y_ticks = [Tick(position=round(PLOT_TOP + plot_height * (1 - part / 4), 2), value=top * part / 4)
               for part in range(5)]
    # A date every week, read from the left; the last day always, where today's bar is.
    x_ticks = [Tick(position=round(PLOT_LEFT + index * slot + slot / 2, 2), value=day)
               for index, day in enumerate(days) if (len(days) - 1 - index) % 7 == 0]
    return DailyChart(
        width=width, height=height, plot_left=PLOT_LEFT, plot_right=width - 8,
        plot_bottom=PLOT_TOP + plot_height, bars=bars, y_ticks=y_ticks, x_ticks=x_ticks,
        series=[(name, coin_class(name)) for name in series], total=sum(totals.values()),
    )


@dataclass(frozen=True)
class Row:
    label: str
    value: int
    bar_width: float
    y: float
    note: str = ""
    css: str = ""
    link: str = ""


@dataclass(frozen=True)
class RowChart:
    width: int
    height: int
    label_width: int
    rows: list[Row]
    row_height: int


def horizontal_bars(
    *, rows: list[tuple[str, int]], width: int = 560, label_width: int = 200, row_height: int = 28,
    notes: list[str] | None = None, css: list[str] | None = None, links: list[str] | None = None,
) -> RowChart:
    """Return one bar per row, its length its value's share of the largest, with its label and a note."""
    largest = max((value for _label, value in rows), default=0) or 1
    plot = width - label_width - 90
    drawn = [
        Row(label=label, value=value, bar_width=round(max(plot * value / largest, 1 if value else 0), 2),
            y=index * row_height, note=(notes or [""] * len(rows))[index],
            css=(css or [""] * len(rows))[index],
            link=(links or [""] * len(rows))[index])
        for index, (label, value) in enumerate(rows)
    ]
    return RowChart(width=width, height=max(len(rows), 1) * row_height, label_width=label_width, rows=drawn,
                    row_height=row_height)
