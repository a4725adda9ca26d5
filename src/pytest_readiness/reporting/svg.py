"""Small inline SVG charts for the HTML dashboard: written here so nothing is fetched to view it.

Every label goes through `html.escape`; sizes are fixed so a chart renders the same offline, in
any browser, and in a screenshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 640
ROW = 22
LABEL = 220


def stacked_bars(rows: Sequence[tuple[str, Sequence[tuple[str, int, str]]]]) -> str:
    """One horizontal bar per row, split into (name, count, colour) parts."""
    height = ROW * len(rows) + 8
    parts = [_open(height, "stacked")]
    span = WIDTH - LABEL - 60
    for index, (label, segments) in enumerate(rows):
        y = 4 + index * ROW
        total = sum(count for _, count, _ in segments) or 1
        parts.append(_text(4, y + 15, label))
        x = float(LABEL)
        for name, count, colour in segments:
            if not count:
                continue
            width = span * count / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{ROW - 6}" '
                f'fill="{colour}"><title>{escape(name)}: {count}</title></rect>'
            )
            x += width
        parts.append(_text(LABEL + span + 6, y + 15, str(sum(c for _, c, _ in segments))))
    parts.append("</svg>")
    return "".join(parts)


def bars(values: Sequence[tuple[str, float]], unit: str, colour: str = "#3566a8") -> str:
    """Horizontal bars with their values, e.g. latency quantiles or coverage per file."""
    height = ROW * len(values) + 8
    top = max((value for _, value in values), default=0.0) or 1.0
    span = WIDTH - LABEL - 90
    parts = [_open(height, "bars")]
    for index, (label, value) in enumerate(values):
        y = 4 + index * ROW
        width = max(1.0, span * value / top)
        parts.append(_text(4, y + 15, label))
        parts.append(
            f'<rect x="{LABEL}" y="{y + 3}" width="{width:.1f}" height="{ROW - 6}" '
            f'fill="{colour}"><title>{escape(label)}: {value:g} {escape(unit)}</title></rect>'
        )
        parts.append(_text(LABEL + width + 6, y + 15, f"{value:g} {unit}"))
    parts.append("</svg>")
    return "".join(parts)


def trend(points: Sequence[tuple[str, float, str]], unit: str) -> str:
    """A line over runs, oldest first; each point a (label, value, colour) with its own dot."""
    height = 160
    left, right, top, bottom = 48, WIDTH - 12, 12, height - 28
    values = [value for _, value, _ in points]
    low, high = min(values, default=0.0), max(values, default=1.0)
    if high == low:
        low, high = low - 1, high + 1
    step = (right - left) / max(1, len(points) - 1)

    def place(index: int, value: float) -> tuple[float, float]:
        return left + index * step, bottom - (bottom - top) * (value - low) / (high - low)

    coords = [place(index, value) for index, (_, value, _) in enumerate(points)]
    parts = [_open(height, "trend")]
    parts.append(_text(4, top + 8, f"{high:g}"))
    parts.append(_text(4, bottom, f"{low:g}"))
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#999"/>')
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#3566a8" stroke-width="2"/>')
    for (label, value, colour), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}">'
            f"<title>{escape(label)}: {value:g} {escape(unit)}</title></circle>"
        )
    if points:
        parts.append(_text(left, height - 8, points[0][0]))
        parts.append(_text(right - 150, height - 8, points[-1][0]))
    parts.append("</svg>")
    return "".join(parts)


def _open(height: int, kind: str) -> str:
    return (
        f'<svg class="chart {kind}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">'
    )


def _text(x: float, y: float, text: str) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="12">{escape(text)}</text>'
