"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, readable at phone width.

They follow the look of the DSFR chart components (`@gouvfr/dsfr-chart`): blue France lines,
light grid, red dashed target, Marianne text. A chart is never the only way to read the data
(RGAA 1.x): each one names the data table holding the same figures (`aria-describedby`), and
pages always render that table next to it.

Sizes are in viewBox units: a narrow viewBox (400 wide) keeps the 12-unit text at about 10 px
on a 375 px phone; pages cap the width on large screens (`max-width`), so text stays moderate.
"""

import math
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from publishing.formats import NBSP, number

BLUE_FRANCE = "#000091"
BLUE_FRANCE_MAIN = "#6a6af4"
RED_MARIANNE = "#e1000f"
GRID = "#dddddd"
TEXT = "#3a3a3a"
# Series colours, each at least 3:1 against white (RGAA 3.3), distinct side by side.
SERIES = [BLUE_FRANCE, BLUE_FRANCE_MAIN, "#297254", "#a558a0", "#8d533e"]


WIDTH, HEIGHT = 400, 220
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 14, 30
FONT = 'font-family="Marianne, arial, sans-serif" font-size="12"'

SHORT_MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def axis_number(value: float) -> str:
    """Short labels for an axis: « 12 000 », « 1,2 M »."""
    if abs(value) >= 1_000_000:
        return f"{number(Decimal(value) / 1_000_000)}{NBSP}M"
    return number(Decimal(str(round(value, 6))))


def short_month(day: date) -> str:
    return f"{SHORT_MONTHS[day.month - 1]} {day.year}"


# --- Scales -------------------------------------------------------------------------------
def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 × 10^n."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _svg_open(title: str, title_id: str, described_by: str, height: int = HEIGHT) -> str:
    return (
        f'<svg class="impact-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{escape(title_id)}" aria-describedby="{escape(described_by)}">'
        f'<title id="{escape(title_id)}">{escape(title)}</title>'
    )


def _y_axis(ticks: list[float], y) -> list[str]:
    parts = []
    for tick in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="{TEXT}" {FONT}>'
            f"{escape(axis_number(tick))}</text>"
        )
    return parts


# --- Line chart ---------------------------------------------------------------------------
def line_chart(
    points: list[tuple[date, Decimal]],
    *,
    title: str,
    chart_id: str,
    table_id: str,
    target: Decimal | None = None,
    target_label: str = "",
) -> SafeString:
    """Values over time (one point per period) with an optional dashed target line."""
    points = sorted(points)
    values = [float(v) for _, v in points]
    bounds = values + ([float(target)] if target is not None else [])
    low = min([0.0, *bounds])
    high = max([0.0, *bounds]) or 1.0
    ticks = nice_ticks(low, high)
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h - (value - low) / (high - low) * plot_h

    first = points[0][0].toordinal() if points else 0
    last = points[-1][0].toordinal() if points else 1
    span = max(last - first, 1)

    def x(day: date) -> float:
        if len(points) == 1:
            return LEFT + plot_w / 2
        return LEFT + (day.toordinal() - first) / span * plot_w

    parts = [_svg_open(title, f"{chart_id}-title", table_id), *_y_axis(ticks, y)]
    # Time axis: at most four labels, evenly spaced from the first value, centred under their
    # point; one too close to the right edge would be cut, so it is left out.
    if points:
        step = max(1, math.ceil(len(points) / 4))
        for index in range(0, len(points), step):
            day = points[index][0]
            if len(points) > 1 and x(day) > WIDTH - 32:
                continue
            parts.append(
                f'<text x="{x(day):.1f}" y="{HEIGHT - 10}" text-anchor="middle" fill="{TEXT}" {FONT}>'
                f"{escape(short_month(day))}</text>"
            )
    if target is not None:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(float(target)):.1f}" '
            f'y2="{y(float(target)):.1f}" stroke="{RED_MARIANNE}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
            f'<text x="{WIDTH - RIGHT}" y="{y(float(target)) - 5:.1f}" text-anchor="end" '
            f'fill="{RED_MARIANNE}" {FONT}>{escape(target_label)}</text>'
        )
    if len(points) > 1:
        path = " ".join(f"{x(day):.1f},{y(float(v)):.1f}" for day, v in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{BLUE_FRANCE}" stroke-width="2.5" '
            f'stroke-linejoin="round" stroke-linecap="round"/>'
        )
    # A marker per value while they stay apart; beyond three years, the last one only.
    for day, value in points if len(points) <= 36 else points[-1:]:
        parts.append(
            f'<circle cx="{x(day):.1f}" cy="{y(float(value)):.1f}" r="3.5" fill="{BLUE_FRANCE}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


# --- Vertical bars, stacked or side by side ------------------------------------------------
def bar_chart(
    labels: list[str],
    series: list[tuple[str, list[float]]],
    *,
    title: str,
    chart_id: str,
    table_id: str,
    colours: list[str] | None = None,
    side_by_side: bool = False,
) -> SafeString:
    """One bar per label; several series stack, or stand side by side (AE and CP of a year).
    The legend is HTML, next to the chart."""
    colours = colours or SERIES
    if side_by_side:
        heights = [max([0.0, *(values[i] for _, values in series)]) for i in range(len(labels))]
    else:
        heights = [sum(values[i] for _, values in series) for i in range(len(labels))]
    ticks = nice_ticks(0, max(heights, default=0) or 1)
    high = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h - value / high * plot_h

    slot = plot_w / max(len(labels), 1)
    bar = slot * 0.7
    width = bar / len(series) if side_by_side and series else bar
    parts = [_svg_open(title, f"{chart_id}-title", table_id), *_y_axis(ticks, y)]
    step = max(1, math.ceil(len(labels) / 6))
    for index, label in enumerate(labels):
        left = LEFT + index * slot + (slot - bar) / 2
        base = 0.0
        for position, ((_, values), colour) in enumerate(zip(series, colours, strict=False)):
            value = values[index]
            x = left + position * width if side_by_side else left
            if value:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y(base + value):.1f}" width="{width:.1f}" '
                    f'height="{y(base) - y(base + value):.1f}" fill="{colour}" '
                    f'stroke="#ffffff" stroke-width="0.5"/>'
                )
            if not side_by_side:
                base += value
        if index % step == 0:
            parts.append(
                f'<text x="{left + bar / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
                f'fill="{TEXT}" {FONT}>{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


# --- Horizontal bars: long labels stay readable on a phone ----------------------------------
def hbar_chart(
    rows: list[tuple[str, float, str]],
    *,
    maximum: float,
    title: str,
    chart_id: str,
    table_id: str,
) -> SafeString:
    """Rows of (label, value, value text): the label above its bar, the value at its end."""
    row_h = 40
    height = TOP + row_h * len(rows) + 4
    parts = [_svg_open(title, f"{chart_id}-title", table_id, height)]
    track = WIDTH - RIGHT - 70
    for index, (label, value, text) in enumerate(rows):
        top = TOP + index * row_h
        width = track * (value / maximum) if maximum else 0
        parts.append(
            f'<text x="0" y="{top + 10}" fill="{TEXT}" {FONT}>{escape(label)}</text>'
            f'<rect x="0" y="{top + 16}" width="{track}" height="14" fill="#eeeeee"/>'
            f'<rect x="0" y="{top + 16}" width="{width:.1f}" height="14" fill="{BLUE_FRANCE}"/>'
            f'<text x="{track + 6}" y="{top + 28}" fill="{TEXT}" {FONT}>{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
