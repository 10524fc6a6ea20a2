"""Server-drawn SVG charts: missing values leave gaps (never a 0 %), labels are escaped."""

from __future__ import annotations

import itertools
import re

from console.charts import Series, hbar_chart, heatmap, line_chart


def test_a_missing_month_breaks_the_line_instead_of_dropping_to_zero() -> None:
    svg = line_chart(
        ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"],
        [Series("响应率", [0.5, 0.6, None, 0.7, 0.8])],
        title="走势",
        chart_id="c",
    )
    assert svg.count("<polyline") == 2  # Jan–Feb and Apr–May, nothing drawn through March
    assert svg.count("<circle") == 4
    assert "2026-03 响应率" not in svg


def test_labels_from_the_directory_are_escaped() -> None:
    name = '<img src=x onerror="alert(1)">'
    bars = hbar_chart([name], [Series("满意率", [None])], title="区县", chart_id="b")
    assert "<img" not in bars and "&lt;img" in bars
    assert "满意率 —" in bars  # no data: a dash, and no bar length
    grid = heatmap([name, "市城管局"], [[0, 3], [1, 0]], title="混淆", chart_id="h")
    assert "<img" not in grid and "&lt;img" in grid
    assert "→ 市城管局：3" in grid


def _font_sizes(svg: str) -> set[str]:
    return set(re.findall(r'font-size="(\d+)"', svg))


def test_every_chart_has_a_visible_title_and_one_label_size() -> None:
    line = line_chart(
        ["2026-01", "2026-02"], [Series("响应率", [0.5, 0.6])], title="走势", chart_id="l"
    )
    bars = hbar_chart(["大祥区"], [Series("满意率", [0.5])], title="区县", chart_id="b")
    grid = heatmap(["市城管局", "市住建局"], [[0, 1], [2, 0]], title="混淆", chart_id="h")
    for svg, title in ((line, "走势"), (bars, "区县"), (grid, "混淆")):
        assert f">{title}</figcaption>" in svg
        assert _font_sizes(svg) == {"13"}, svg  # no 9 px bar labels, no 11 px matrix counts
        assert 'style="max-width:' in svg  # drawn at its size, never blown up


def test_the_matrix_note_fits_however_few_units_there_are() -> None:
    grid = heatmap(["市城管局"], [[0]], title="混淆", chart_id="h")
    width = float(re.search(r'viewBox="0 0 (\d+)', grid).group(1))  # type: ignore[union-attr]
    note = re.search(r'<text x="4" y="16"[^>]*>([^<]+)</text>', grid)
    assert note is not None and "列：最终承办单位" in note.group(1)
    assert 4 + len(note.group(1)) * 13 <= width  # not clipped at the right edge


def test_equal_rates_do_not_hide_each_other() -> None:
    svg = line_chart(
        ["2026-01", "2026-02"],
        [Series("响应率", [0.5, 0.6]), Series("解决率", [0.0, 0.0]), Series("满意率", [0.0, 0.0])],
        title="走势",
        chart_id="c",
    )
    radii = [float(r) for r in re.findall(r'<circle [^>]*r="([\d.]+)"', svg)]
    first, resolved, satisfied = radii[0], radii[2], radii[4]
    assert first > resolved > satisfied  # the later, smaller point sits inside the earlier


def test_bar_value_labels_never_overlap() -> None:
    svg = hbar_chart(
        ["大祥区", "双清区"],
        [Series("响应率", [0.5, 0.6]), Series("解决率", [0.5, 0.6]), Series("满意率", [0.5, 0.6])],
        title="区县",
        chart_id="b",
    )
    ys = sorted(
        float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" [^>]*fill="#5b6675">', svg)
    )
    assert all(b - a >= 13 for a, b in itertools.pairwise(ys))
