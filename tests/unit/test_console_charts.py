"""Server-drawn SVG charts: missing values leave gaps (never a 0 %), labels are escaped."""

from __future__ import annotations

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
