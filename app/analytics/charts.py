"""Server-side SVG charts, meant to be inlined in a page.

Each builder returns an SVG document as a string. All text passes through `_text`
(escaped), so labels from user data cannot inject markup. The charts work under a
CSP without inline styles (presentation attributes only, no style="" nor <style>),
and without colour: every bar, point and day carries a <title> tooltip with its exact
figure, the axes are labelled with text, and the heatmap varies the size of each
day's square as well as its shade. Each SVG has role="img" and aria-labelledby
pointing at its own <title> and <desc>; the page should still give the figures in a
table for screen-reader users who want to move through them.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from ..numbers import format_number

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK = "#212529"  # Bootstrap body text: 16:1 on white
MUTED = "#495057"  # 9:1 on white, still readable for axis text
GRID = "#dee2e6"
BAR = "#1f5fa8"
LINE = "#1f5fa8"
TARGET = "#8a3c00"
# Light to dark, far enough apart in luminance to tell apart in greyscale.
HEAT_SHADES = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
HEAT_LEVELS = len(HEAT_SHADES)

CHAR_WIDTH = 7  # a generous average at font-size 12, to keep axis labels apart
ValueFormat = Callable[[float], str]
# What the values count: "reviews", or ("review", "reviews") to get "1 review" right.
Unit = str | tuple[str, str]


def bar_chart(
    points: Sequence[tuple[str, float]],
    title: str,
    x_label: str,
    y_label: str,
    *,
    desc: str | None = None,
    unit: Unit = "",
    value_format: ValueFormat = format_number,
    chart_id: str | None = None,
    width: int = 720,
    height: int = 260,
    max_x_labels: int = 10,
) -> str:
    """One bar per (label, value). Tooltips read "label: value unit"."""
    ident = _chart_id(title, chart_id)
    plot = _Plot(width, height)
    values = [value for _, value in points]
    ticks = _ticks(max(values, default=0), integer=all(float(v).is_integer() for v in values))
    desc = desc or _summary(points, value_format, unit)
    parts = _open(ident, title, desc, width, height)
    parts += _y_axis(plot, ticks, y_label, value_format)
    parts += _x_axis_label(plot, x_label)
    if not points:
        parts.append(_no_data(plot))
        return _close(parts)
    slot = plot.width / len(points)
    bar_width = min(max(slot * 0.7, 1.0), 48.0)
    every = _label_every(points, slot, max_x_labels)
    for i, (label, value) in enumerate(points):
        x = plot.left + i * slot
        bar_height = plot.height * value / ticks[-1] if ticks[-1] else 0
        tip = _text(_tooltip(label, value, value_format, unit))
        parts.append(
            f"<g><title>{tip}</title>"
            f'<rect x="{_n(x)}" y="{plot.top}" width="{_n(slot)}" height="{plot.height}" '
            f'fill="#000" fill-opacity="0"/>'
            f'<rect x="{_n(x + (slot - bar_width) / 2)}" y="{_n(plot.bottom - bar_height)}" '
            f'width="{_n(bar_width)}" height="{_n(bar_height)}" fill="{BAR}"/></g>'
        )
        if i % every == 0:
            parts.append(_x_tick_label(x + slot / 2, plot.bottom, label))
    return _close(parts)


def line_chart(
    points: Sequence[tuple[str, float]],
    title: str,
    x_label: str,
    y_label: str,
    *,
    desc: str | None = None,
    unit: Unit = "",
    value_format: ValueFormat = format_number,
    y_max: float | None = None,
    target: tuple[float, str] | None = None,
    chart_id: str | None = None,
    width: int = 720,
    height: int = 260,
    max_x_labels: int = 8,
) -> str:
    """Points joined by a line, evenly spaced in order; each point is a marker with a
    tooltip. `target` = (value, label) draws a dashed reference line."""
    ident = _chart_id(title, chart_id)
    plot = _Plot(width, height)
    values = [value for _, value in points]
    top = max([*values, target[0] if target else 0, y_max or 0], default=0)
    ticks = _ticks(top, integer=all(float(v).is_integer() for v in values))
    if y_max is not None and top <= y_max:
        ticks = _ticks(y_max, integer=float(y_max).is_integer())
    scale = ticks[-1] or 1
    desc = desc or _summary(points, value_format, unit)
    parts = _open(ident, title, desc, width, height)
    parts += _y_axis(plot, ticks, y_label, value_format)
    parts += _x_axis_label(plot, x_label)
    if target is not None:
        y = plot.bottom - plot.height * target[0] / scale
        parts.append(
            f'<line x1="{plot.left}" y1="{_n(y)}" x2="{plot.right}" y2="{_n(y)}" '
            f'stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6 4"/>'
            f'<text x="{plot.right}" y="{_n(y - 4)}" text-anchor="end" fill="{TARGET}">'
            f"{_text(target[1])}</text>"
        )
    if not points:
        parts.append(_no_data(plot))
        return _close(parts)
    slot = plot.width / len(points)
    coords = [
        (plot.left + (i + 0.5) * slot, plot.bottom - plot.height * value / scale)
        for i, (_, value) in enumerate(points)
    ]
    if len(coords) > 1:
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    every = _label_every(points, slot, max_x_labels)
    for i, ((label, value), (x, y)) in enumerate(zip(points, coords, strict=True)):
        tip = _text(_tooltip(label, value, value_format, unit))
        parts.append(
            f'<g><title>{tip}</title><circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" '
            f'fill="#fff" stroke="{LINE}" stroke-width="2"/></g>'
        )
        if i % every == 0:
            parts.append(_x_tick_label(x, plot.bottom, label))
    return _close(parts)


def calendar_heatmap(
    days: Sequence[tuple[date, int]],
    title: str,
    *,
    desc: str | None = None,
    unit: Unit = ("review", "reviews"),
    chart_id: str | None = None,
) -> str:
    """A calendar, one column per week (Monday first), one square per day.

    Busier days get a darker AND larger square; a day without any is an empty outline.
    The legend spells out which counts each level stands for.
    """
    ident = _chart_id(title, chart_id)
    cell, gap = 12, 3
    pitch = cell + gap
    left, top = 34, 22
    first = days[0][0] if days else date.today()
    week_zero = first - timedelta(days=first.weekday())
    weeks = ((days[-1][0] - week_zero).days // 7 + 1) if days else 1
    width = left + weeks * pitch + 24  # room for a month named in the last week
    legend_y = top + 7 * pitch + 14
    height = legend_y + 26
    peak = max((count for _, count in days), default=0)
    if desc is None:
        desc = _heatmap_summary(days, unit, peak)
    parts = _open(ident, title, desc, width, height)
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        y = top + row * pitch + cell - 2
        parts.append(f'<text x="{left - 6}" y="{y}" text-anchor="end" fill="{MUTED}">{name}</text>')
    for day, _ in days:
        if day.day == 1:  # each month is named above the week it starts in
            column = (day - week_zero).days // 7
            parts.append(
                f'<text x="{left + column * pitch}" y="{top - 8}" fill="{MUTED}">{day:%b}</text>'
            )
    parts.append('<g fill="#fff" stroke="#adb5bd">')
    for day, count in days:
        column = (day - week_zero).days // 7
        x = left + column * pitch
        y = top + day.weekday() * pitch
        tip = _text(f"{_long_date(day)}: {format_number(count)} {_unit(count, unit)}".rstrip())
        parts.append(f"<g><title>{tip}</title>{_heat_cell(x, y, cell, _level(count, peak))}</g>")
    parts.append("</g>")
    parts += _heat_legend(left, legend_y, cell, peak, unit)
    return _close(parts)


def grouped_bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    title: str,
    x_label: str,
    y_label: str,
    *,
    desc: str | None = None,
    unit: Unit = "",
    value_format: ValueFormat = format_number,
    y_min: float = 0,
    y_max: float | None = None,
    chart_id: str | None = None,
    width: int = 720,
    height: int = 280,
    max_x_labels: int = 20,
) -> str:
    """Side by side, one bar per series for each label; values may be negative (bars
    then hang below a zero line). A None value draws no bar, and its tooltip says "—".
    The series are told apart by a legend with their names as well as by shade."""
    ident = _chart_id(title, chart_id)
    plot = _Plot(width, height)
    plot.top += 20  # room for the legend
    plot.height = plot.bottom - plot.top
    values = [v for _, vs in series for v in vs if v is not None]
    integer = all(float(v).is_integer() for v in values)
    high = max([*values, y_max or 0, 0])
    low = min([*values, y_min, 0])
    above = _ticks(high, integer) if high > 0 else [0.0]
    below = [-t for t in _ticks(-low, integer)[1:]] if low < 0 else []
    ticks = [*reversed(below), *above]
    span = (ticks[-1] - ticks[0]) or 1

    def y_of(value: float) -> float:
        return plot.bottom - plot.height * (value - ticks[0]) / span

    if desc is None:
        desc = f"{len(labels)} groups of {len(series)} bars." if labels else "No data yet."
    parts = _open(ident, title, desc, width, height)
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{plot.left}" y1="{_n(y)}" x2="{plot.right}" y2="{_n(y)}" '
            f'stroke="{INK if tick == 0 else GRID}"/>'
            f'<text x="{plot.left - 6}" y="{_n(y + 4)}" text-anchor="end" fill="{MUTED}">'
            f"{_text(value_format(tick))}</text>"
        )
    middle = plot.top + plot.height / 2
    parts.append(
        f'<line x1="{plot.left}" y1="{plot.top}" x2="{plot.left}" y2="{plot.bottom}" '
        f'stroke="{INK}"/>'
        f'<text x="14" y="{_n(middle)}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_n(middle)})">{_text(y_label)}</text>'
    )
    parts += _x_axis_label(plot, x_label)
    shades = (BAR, TARGET, HEAT_SHADES[1], HEAT_SHADES[3])
    x = float(plot.left)
    for s, (name, _) in enumerate(series):
        parts.append(
            f'<rect x="{_n(x)}" y="2" width="12" height="12" fill="{shades[s % len(shades)]}"/>'
            f'<text x="{_n(x + 16)}" y="12">{_text(name)}</text>'
        )
        x += 16 + CHAR_WIDTH * len(name) + 20
    if not labels:
        parts.append(_no_data(plot))
        return _close(parts)
    slot = plot.width / len(labels)
    bar_width = min(max(slot * 0.8 / max(len(series), 1), 1.0), 32.0)
    zero = y_of(0)
    every = _label_every([(label, 0) for label in labels], slot, max_x_labels)
    for i, label in enumerate(labels):
        left = plot.left + i * slot + (slot - bar_width * len(series)) / 2
        for s, (name, figures) in enumerate(series):
            value = figures[i] if i < len(figures) else None
            figure = "—" if value is None else f"{value_format(value)} {_unit(value, unit)}"
            tip = _text(f"{label}, {name}: {figure}".rstrip())
            bar = ""
            if value is not None:
                top, bottom = sorted((y_of(value), zero))
                bar = (
                    f'<rect x="{_n(left + s * bar_width)}" y="{_n(top)}" '
                    f'width="{_n(bar_width)}" height="{_n(bottom - top)}" '
                    f'fill="{shades[s % len(shades)]}"/>'
                )
            parts.append(
                f"<g><title>{tip}</title>"
                f'<rect x="{_n(left + s * bar_width)}" y="{plot.top}" width="{_n(bar_width)}" '
                f'height="{plot.height}" fill="#000" fill-opacity="0"/>{bar}</g>'
            )
        if i % every == 0:
            parts.append(_x_tick_label(plot.left + (i + 0.5) * slot, plot.bottom, label))
    return _close(parts)


# -- shared pieces -----------------------------------------------------------------


class _Plot:
    """The plotting area inside the axes."""

    def __init__(self, width: int, height: int) -> None:
        self.left, self.right = 64, width - 16
        self.top, self.bottom = 16, height - 52
        self.width = self.right - self.left
        self.height = self.bottom - self.top


def _open(ident: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'class="chart img-fluid" font-family="{_text(FONT)}" font-size="12" fill="{INK}">',
        f'<title id="{ident}-title">{_text(title)}</title>',
        f'<desc id="{ident}-desc">{_text(desc)}</desc>',
    ]


def _close(parts: list[str]) -> str:
    return "\n".join([*parts, "</svg>"])


def _y_axis(plot: _Plot, ticks: list[float], label: str, fmt: ValueFormat) -> list[str]:
    parts = []
    scale = ticks[-1] or 1
    for tick in ticks:
        y = plot.bottom - plot.height * tick / scale
        parts.append(
            f'<line x1="{plot.left}" y1="{_n(y)}" x2="{plot.right}" y2="{_n(y)}" '
            f'stroke="{GRID}"/>'
            f'<text x="{plot.left - 6}" y="{_n(y + 4)}" text-anchor="end" fill="{MUTED}">'
            f"{_text(fmt(tick))}</text>"
        )
    parts.append(
        f'<line x1="{plot.left}" y1="{plot.top}" x2="{plot.left}" y2="{plot.bottom}" '
        f'stroke="{INK}"/>'
        f'<line x1="{plot.left}" y1="{plot.bottom}" x2="{plot.right}" y2="{plot.bottom}" '
        f'stroke="{INK}"/>'
    )
    middle = plot.top + plot.height / 2
    parts.append(
        f'<text x="14" y="{_n(middle)}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_n(middle)})">{_text(label)}</text>'
    )
    return parts


def _x_axis_label(plot: _Plot, label: str) -> list[str]:
    x = plot.left + plot.width / 2
    return [f'<text x="{_n(x)}" y="{plot.bottom + 42}" text-anchor="middle">{_text(label)}</text>']


def _x_tick_label(x: float, bottom: float, label: str) -> str:
    return (
        f'<line x1="{_n(x)}" y1="{bottom}" x2="{_n(x)}" y2="{bottom + 4}" stroke="{INK}"/>'
        f'<text x="{_n(x)}" y="{bottom + 18}" text-anchor="middle" fill="{MUTED}">'
        f"{_text(label)}</text>"
    )


def _no_data(plot: _Plot) -> str:
    x, y = plot.left + plot.width / 2, plot.top + plot.height / 2
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="middle">No data yet</text>'


def _ticks(top: float, integer: bool, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top`."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(math.ceil(step), 1)
    steps = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def _label_every(points: Sequence[tuple[str, float]], slot: float, most: int) -> int:
    """Label every n-th point: at most `most` labels, none overlapping the next."""
    widest = max(len(label) for label, _ in points) * CHAR_WIDTH + 8
    return max(1, math.ceil(len(points) / max(most, 1)), math.ceil(widest / slot))


def _unit(value: float, unit: Unit) -> str:
    if isinstance(unit, str):
        return unit
    return unit[0] if value == 1 else unit[1]


def _tooltip(label: str, value: float, fmt: ValueFormat, unit: Unit) -> str:
    return f"{label}: {fmt(value)} {_unit(value, unit)}".rstrip()


def _summary(points: Sequence[tuple[str, float]], fmt: ValueFormat, unit: Unit) -> str:
    if not points:
        return "No data yet."
    label, value = max(points, key=lambda p: p[1])
    return (
        f"{len(points)} values from {points[0][0]} to {points[-1][0]}; "
        f"highest {_tooltip(label, value, fmt, unit)}."
    )


def _heatmap_summary(days: Sequence[tuple[date, int]], unit: Unit, peak: int) -> str:
    if not days:
        return "No data yet."
    active = sum(1 for _, count in days if count)
    total = sum(count for _, count in days)
    text = (
        f"{format_number(total)} {_unit(total, unit)} on {active} of {len(days)} days, "
        f"{_long_date(days[0][0])} to {_long_date(days[-1][0])}"
    )
    if peak:
        busiest = next(day for day, count in days if count == peak)
        text += f"; busiest {_long_date(busiest)} with {format_number(peak)}"
    return text + "."


def _level(count: int, peak: int) -> int:
    """0 for none, else 1..HEAT_LEVELS in equal slices of the busiest day's count."""
    if count <= 0 or peak <= 0:
        return 0
    return max(1, math.ceil(HEAT_LEVELS * count / peak))


def _level_range(level: int, peak: int) -> tuple[int, int] | None:
    """The counts shown at `level`, or None if no whole count falls in it."""
    if level == 0:
        return (0, 0)
    low = math.floor(peak * (level - 1) / HEAT_LEVELS) + 1
    high = math.floor(peak * level / HEAT_LEVELS)
    return (low, high) if low <= high else None


def _heat_cell(x: float, y: float, cell: int, level: int) -> str:
    """An outlined square (stroke and fill come from the enclosing group), with an inner
    square whose size and shade grow with `level`."""
    outline = f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}"/>'
    if level == 0:
        return outline
    side = cell * (0.35 + 0.65 * level / HEAT_LEVELS)
    inset = (cell - side) / 2
    return outline + (
        f'<rect x="{_n(x + inset)}" y="{_n(y + inset)}" width="{_n(side)}" '
        f'height="{_n(side)}" fill="{HEAT_SHADES[level - 1]}" stroke="none"/>'
    )


def _heat_legend(left: int, y: int, cell: int, peak: int, unit: Unit) -> list[str]:
    caption = _text(_unit(2, unit).capitalize())
    parts = [f'<text x="{left}" y="{y + cell - 2}" fill="{MUTED}">{caption}:</text>']
    x = left + 70
    for level in range(HEAT_LEVELS + 1):
        counts = _level_range(level, peak) if peak or level == 0 else None
        if counts is None:
            continue
        low, high = counts
        label = str(low) if low == high else f"{low}–{high}"
        parts.append(
            f"<g><title>{_text(f'{label} {_unit(high, unit)}')}</title>"
            f'<g fill="#fff" stroke="#adb5bd">{_heat_cell(x, y, cell, level)}</g>'
            f'<text x="{x + cell + 4}" y="{y + cell - 2}" fill="{MUTED}">{_text(label)}</text></g>'
        )
        x += cell + 12 + 8 * len(label)
    return parts


def _long_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _chart_id(title: str, chart_id: str | None) -> str:
    """An XML id: the caller's, cleaned, or one derived from the title."""
    if chart_id:
        return "chart-" + re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
    digest = hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:6]
    return f"chart-{slug}-{digest}" if slug else f"chart-{digest}"


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _n(value: float) -> str:
    """Coordinates to two decimals, without trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
