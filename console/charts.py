"""Charts as inline SVG, drawn on the server: no CDN, no JavaScript, readable without styles.

Every label is escaped here (department names are admin input), so templates may print the
returned `Markup` as is: a visible title (`<figcaption>`) and the SVG. Values are fractions 0..1
(rates) or counts; None is "no data": a gap in a line, no bar, and "—" in the tooltip.

One scale for every chart: each is drawn at about the width it is shown (WIDTH) and never
scaled up (`max-width`), so its 13 px labels read the same in every chart; on a phone a chart
keeps a minimum width and scrolls inside its card (console.css) rather than shrinking its
words to dust."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from console.statistics_texts import NO_DATA

COLORS = ("#1f4e8c", "#1e7b34", "#c77700", "#8e3b9c")
FONT_SIZE = 13
FONT = f'font-family="inherit" font-size="{FONT_SIZE}"'
WIDTH = 560
# Points of a line chart: the first series' largest, each later one smaller, so equal values
# (解决率 and 满意率 both 0 %) show as rings around each other instead of hiding one another.
POINT_RADII = (6.0, 4.5, 3.0, 2.0)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def line_chart(
    labels: Sequence[str], series: Sequence[Series], *, title: str, chart_id: str
) -> Markup:
    """Rates over time (0–100 %): one polyline per series, broken where a value is missing."""
    width, height, left, right, top, bottom = WIDTH, 250, 46, 36, 36, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)

    def x(index: int) -> float:
        return left + (index * step if len(labels) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h * (1 - value)

    parts = [_open(chart_id, title, width, height), _legend(series, left, 16)]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#d9dde3"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'{FONT} fill="#5b6675">{tick * 100:.0f}%</text>'
        )
    every = max(1, -(-len(labels) // 6))  # at most ~6 axis labels: "2026-01" is 50 px
    last = len(labels) - 1
    for index, label in enumerate(labels):
        crowded = index != last and last - index < every  # too close to the last label
        if (index % every == 0 and not crowded) or index == last:
            anchor = "start" if index == 0 else "end" if index == last else "middle"
            parts.append(
                f'<text x="{x(index):.1f}" y="{height - bottom + 16}" text-anchor="{anchor}" '
                f'{FONT} fill="#5b6675">{escape(label)}</text>'
            )
    for number, one in enumerate(series):
        color = COLORS[number % len(COLORS)]
        for run in _runs(one.values):
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in run)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        radius = POINT_RADII[min(number, len(POINT_RADII) - 1)]
        for index, value in enumerate(one.values):
            if value is not None:
                tip = f"{labels[index]} {one.name} {_percent(value)}"
                parts.append(
                    f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="{radius}" '
                    f'fill="{color}" stroke="#fff" stroke-width="1">'
                    f"<title>{escape(tip)}</title></circle>"
                )
    return _close(parts)


def hbar_chart(
    labels: Sequence[str], series: Sequence[Series], *, title: str, chart_id: str
) -> Markup:
    """Rates (0–100 %) by group: one row per label, one bar per series, each bar with its own
    value beside it (the bars are as tall as the labels, so the labels never overlap)."""
    bar, gap, left, right, top = FONT_SIZE + 3, 12, 140, 64, 36
    row_h = bar * len(series) + gap
    width, height = WIDTH, top + row_h * len(labels) + 8
    plot_w = width - left - right
    parts = [_open(chart_id, title, width, height), _legend(series, left, 16)]
    for tick in (0, 0.5, 1):
        x = left + plot_w * tick
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - 8}" stroke="#d9dde3"/>'
        )
    for row, label in enumerate(labels):
        y0 = top + row * row_h
        parts.append(
            f'<text x="{left - 8}" y="{y0 + row_h / 2 + 2:.1f}" text-anchor="end" {FONT}>'
            f"{escape(_shorten(label, 9))}<title>{escape(label)}</title></text>"
        )
        for number, one in enumerate(series):
            value = one.values[row]
            y = y0 + number * bar
            tip = f"{label} {one.name} {_percent(value)}"
            length = plot_w * value if value is not None else 0
            parts.append(
                f'<rect x="{left}" y="{y:.1f}" width="{length:.1f}" height="{bar - 1}" '
                f'fill="{COLORS[number % len(COLORS)]}"><title>{escape(tip)}</title></rect>'
                f'<text x="{left + length + 4:.1f}" y="{y + bar - 4:.1f}" {FONT} '
                f'fill="#5b6675">{_percent(value)}</text>'
            )
    return _close(parts)


def heatmap(
    labels: Sequence[str], counts: Sequence[Sequence[int]], *, title: str, chart_id: str
) -> Markup:
    """A square matrix of counts (rows: the classifier's choice, columns: the final one). The
    columns are numbered like the rows, so long Chinese names need no rotated text."""
    cell, left, top = 30, 170, 56
    size = len(labels)
    # Wide enough for the axis note above the matrix, however few units it has.
    width, height = max(left + cell * size + 10, 420), top + cell * size + 10
    peak = max((value for row in counts for value in row), default=0) or 1
    parts = [_open(chart_id, title, width, height)]
    note = "行：分类器选择；列：最终承办单位（序号同行）"
    parts.append(f'<text x="4" y="16" {FONT} fill="#5b6675">{note}</text>')
    for index, label in enumerate(labels):
        parts.append(
            f'<text x="{left + index * cell + cell / 2:.1f}" y="{top - 6}" text-anchor="middle" '
            f"{FONT}>{index + 1}</text>"
            f'<text x="{left - 6}" y="{top + index * cell + cell / 2 + 4:.1f}" '
            f'text-anchor="end" {FONT}>{index + 1}. {escape(_shorten(label, 11))}'
            f"<title>{escape(label)}</title></text>"
        )
    for row, values in enumerate(counts):
        for column, value in enumerate(values):
            x, y = left + column * cell, top + row * cell
            if row == column:
                fill, text = "#eef1f5", ""
            else:
                fill, text = _heat(value / peak), str(value) if value else ""
            tip = f"{labels[row]} → {labels[column]}：{value if row != column else NO_DATA}"
            ink = "#fff" if value / peak > 0.55 and row != column else "#1b1f24"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}">'
                f"<title>{escape(tip)}</title></rect>"
                f'<text x="{x + cell / 2 - 1:.1f}" y="{y + cell / 2 + 4:.1f}" '
                f'text-anchor="middle" {FONT} fill="{ink}">{text}</text>'
            )
    return _close(parts)


def _open(chart_id: str, title: str, width: int, height: float) -> str:
    return (
        f'<figcaption id="{escape(chart_id)}-title">{escape(title)}</figcaption>'
        f'<div class="chart-scroll"><svg class="chart" id="{escape(chart_id)}" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'style="max-width:{width}px" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _close(parts: list[str]) -> Markup:
    return Markup("".join([*parts, "</svg></div>"]))  # every value was escaped above


def _legend(series: Sequence[Series], x: int, y: int) -> str:
    items = []
    for number, one in enumerate(series):
        left = x + number * 96
        items.append(
            f'<rect x="{left}" y="{y - 9}" width="12" height="10" '
            f'fill="{COLORS[number % len(COLORS)]}"/>'
            f'<text x="{left + 16}" y="{y}" {FONT}>{escape(one.name)}</text>'
        )
    return "".join(items)


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Stretches of consecutive values, so a missing month breaks the line."""
    runs: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((index, value))
    return [run for run in runs if len(run) > 1]


def _percent(value: float | None) -> str:
    return NO_DATA if value is None else f"{value * 100:.1f}%"


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _heat(share: float) -> str:
    """White → the console's red, by the share of the largest count."""
    low, high = (255, 255, 255), (179, 38, 30)
    r, g, b = (round(a + (z - a) * share) for a, z in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"
