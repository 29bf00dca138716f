"""Charts as server-side SVG strings: no script, no font or image fetched, no network at all.

The same input gives byte-identical output (numbers are rounded to fixed places), so a page or
an evidence pack can be compared across runs. Every label is XML-escaped here: callers pass plain
text. Values may be None (no figure that month): the line breaks there instead of dropping to 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

LINE_COLOUR = "#1f6feb"
TARGET_COLOUR = "#d1242f"
BAR_COLOUR = "#1f6feb"
AXIS_COLOUR = "#8c959f"
TEXT_STYLE = 'font-family="sans-serif" font-size="11" fill="#24292f"'
LABEL_WIDTH = 52
"""Room an axis label ("2026-11") needs; labels are thinned out to fit, the newest always shown."""


@dataclass(frozen=True)
class Box:
    """The plotting area inside an SVG of `width` × `height` (margins leave room for labels)."""

    width: int
    height: int
    left: int = 44
    right: int = 28
    top: int = 12
    bottom: int = 28

    @property
    def inner_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def inner_height(self) -> int:
        return self.height - self.top - self.bottom


def _n(number: float) -> str:
    """A coordinate with at most 2 decimals and no trailing zeros (deterministic text)."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _scale(values: Sequence[float | None], extra: Sequence[float] = ()) -> tuple[float, float]:
    """The value range drawn: covers the values and `extra` (the target), never empty."""
    known = [v for v in values if v is not None] + list(extra)
    if not known:
        return 0.0, 1.0
    low, high = min(0.0, min(known)), max(known)
    if high == low:
        high = low + (abs(low) or 1.0)
    return low, high


def _svg(width: int, height: int, title: str, body: list[str], css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class={quoteattr(css_class)} width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _segments(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive known points: a gap (None) splits the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _polylines(points: Sequence[tuple[float, float] | None], colour: str, width: float) -> list[str]:
    parts = []
    for run in _segments(points):
        if len(run) == 1:
            x, y = run[0]
            parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(width + 0.5)}" fill="{colour}"/>')
        else:
            coordinates = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="{_n(width)}"/>'
            )
    return parts


def _positions(
    values: Sequence[float | None], box: Box, low: float, high: float
) -> list[tuple[float, float] | None]:
    step = box.inner_width / max(len(values) - 1, 1)

    def y_of(value: float) -> float:
        return box.top + box.inner_height * (1 - (value - low) / (high - low))

    return [
        None if value is None else (box.left + index * step, y_of(value))
        for index, value in enumerate(values)
    ]


def line_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    target: float | None = None,
    format_value: str = "{:.2f}",
    width: int = 480,
    height: int = 200,
) -> str:
    """Monthly values as a line, the target as a dashed line, min/max on the axis, labels below."""
    if len(labels) != len(values):
        raise ValueError("line_chart needs one label per value")
    box = Box(width, height)
    low, high = _scale(values, [] if target is None else [target])
    points = _positions(values, box, low, high)
    bottom = box.top + box.inner_height
    body = [
        f'<line x1="{box.left}" y1="{bottom}" x2="{width - box.right}" y2="{bottom}" '
        f'stroke="{AXIS_COLOUR}"/>',
        f'<text x="{box.left - 4}" y="{box.top + 4}" text-anchor="end" {TEXT_STYLE}>'
        f"{escape(format_value.format(high))}</text>",
        f'<text x="{box.left - 4}" y="{bottom}" text-anchor="end" {TEXT_STYLE}>'
        f"{escape(format_value.format(low))}</text>",
    ]
    if target is not None:
        y = box.top + box.inner_height * (1 - (target - low) / (high - low))
        body.append(
            f'<line class="target" x1="{box.left}" y1="{_n(y)}" x2="{width - box.right}" y2="{_n(y)}" '
            f'stroke="{TARGET_COLOUR}" stroke-dasharray="4 3"/>'
        )
    body += _polylines(points, LINE_COLOUR, 2)
    every = max(1, math.ceil(len(labels) * LABEL_WIDTH / box.inner_width))
    for index, (label, point, value) in enumerate(
        zip(labels, _positions([0.0] * len(values), box, 0, 1), values, strict=True)
    ):
        assert point is not None
        shown = "–" if value is None else format_value.format(value)
        text = escape(label) if (len(labels) - 1 - index) % every == 0 else ""
        body.append(
            f'<text x="{_n(point[0])}" y="{height - 8}" text-anchor="middle" {TEXT_STYLE}>'
            f"<title>{escape(label)}: {escape(shown)}</title>{text}</text>"
        )
    return _svg(width, height, title, body, "chart line-chart")


def sparkline(values: Sequence[float | None], *, title: str, width: int = 120, height: int = 28) -> str:
    """A small line of the last months for a KPI tile: no axes, no labels beyond the title."""
    box = Box(width, height, left=2, right=2, top=2, bottom=2)
    low, high = _scale(values)
    return _svg(
        width, height, title, _polylines(_positions(values, box, low, high), LINE_COLOUR, 1.5), "sparkline"
    )


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    format_value: str = "{:.2f}",
    width: int = 480,
    bar_height: int = 18,
) -> str:
    """Horizontal bars, one per label (e.g. an outlet), the value printed at the bar's end."""
    if len(labels) != len(values):
        raise ValueError("bar_chart needs one label per value")
    label_width, gap = 120, 6
    height = max(len(values), 1) * (bar_height + gap) + gap
    _, high = _scale(values)
    room = width - label_width - 60
    body: list[str] = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = gap + index * (bar_height + gap)
        text_y = _n(y + bar_height * 0.7)
        body.append(
            f'<text x="{label_width - 4}" y="{text_y}" text-anchor="end" {TEXT_STYLE}>{escape(label)}</text>'
        )
        length = 0.0 if value is None or high <= 0 else max(value, 0.0) / high * room
        body.append(
            f'<rect x="{label_width}" y="{y}" width="{_n(length)}" height="{bar_height}" '
            f'fill="{BAR_COLOUR}"/>'
        )
        shown = "–" if value is None else format_value.format(value)
        body.append(
            f'<text x="{_n(label_width + length + 4)}" y="{text_y}" {TEXT_STYLE}>{escape(shown)}</text>'
        )
    return _svg(width, height, title, body, "chart bar-chart")
