"""The statistics and routing-quality pages' tables (shown and downloaded alike): which columns,
in which order, under which Chinese titles."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from bot.services.routing.quality import QualityReport
from bot.services.statistics.deputies import DeputyReport, DeputyRow
from bot.services.statistics.three_rates import OverdueItem, RateRow, RatesReport
from console import statistics_texts as texts
from console.exports import Cell, Column, Table

COUNT, RATE, HOURS = "count", "rate", "hours"
Row = TypeVar("Row")


def _rate_columns(first: str) -> tuple[Column, ...]:
    return (
        Column(first),
        Column("工单数", COUNT),
        Column(texts.RESPONSE_RATE, RATE, ("限时受理数", "应受理数")),
        Column(texts.RESOLUTION_RATE, RATE, ("已解决数", "已答复或办结数")),
        Column(texts.SATISFACTION_RATE, RATE, ("满意及基本满意数", "已评价数")),
        Column("平均办理时长（小时）", HOURS),
        Column("超期", COUNT),
        Column("其中催办", COUNT),
        Column("其中督办", COUNT),
    )


def _rate_row(row: RateRow) -> tuple[Cell, ...]:
    return (
        texts.label(row.label),
        row.tickets,
        row.response,
        row.resolution,
        row.satisfaction,
        row.avg_handling_hours,
        row.overdue,
        row.overdue_urged,
        row.overdue_escalated,
    )


def rate_tables(report: RatesReport) -> list[Table]:
    """By department, district and month, each with the total last; then the overdue list."""
    groups = (
        ("department", "按承办单位", "承办单位", report.by_department),
        ("district", "按区县", "区县", report.by_district),
        ("month", "按月份", "月份", report.by_month),
    )
    tables = _grouped_tables(
        "三率统计", groups, report.total, _rate_columns, _rate_row, texts.DEFINITIONS
    )
    tables.append(overdue_table(report.overdue))
    return tables


def _grouped_tables(
    name: str,
    groups: Iterable[tuple[str, str, str, list[Row]]],
    total: Row,
    columns: Callable[[str], tuple[Column, ...]],
    cells: Callable[[Row], tuple[Cell, ...]],
    notes: dict[str, str],
) -> list[Table]:
    """One table per grouping (key, "按…" title, first column's title, rows), each with the
    total row last."""
    return [
        Table(
            key,
            f"{name}（{title}）",
            columns(first),
            [*(cells(row) for row in rows), cells(total)],
            notes,
        )
        for key, title, first, rows in groups
    ]


def overdue_table(items: list[OverdueItem]) -> Table:
    columns = (
        Column("编号"),
        Column("摘要"),
        Column("承办单位"),
        Column("区县"),
        Column("办理时限"),
        Column("已超期（小时）", HOURS),
        Column("催办"),
        Column("督办"),
    )
    rows: list[tuple[Cell, ...]] = [
        (
            item.number,
            item.summary,
            item.department,
            item.district,
            f"{item.due_at:%Y-%m-%d %H:%M}",
            item.overdue_hours,
            "是" if item.urged else "否",
            "是" if item.escalated else "否",
        )
        for item in items
    ]
    return Table("overdue", "超期工单", columns, rows, texts.DEFINITIONS)


def _deputy_columns(first: str) -> tuple[Column, ...]:
    return (
        Column(first),
        Column("代表数", COUNT),
        Column("提交反映的代表数", COUNT),
        Column("提交数", COUNT),
        Column("答复率", RATE, ("已答复数", "")),
        Column(texts.SATISFACTION_RATE, RATE, ("满意及基本满意数", "已评价数")),
    )


def _deputy_row(row: DeputyRow) -> tuple[Cell, ...]:
    return (
        texts.label(row.label),
        row.deputies,
        row.active_deputies,
        row.filed,
        row.answered_rate,
        row.satisfaction,
    )


def deputy_tables(report: DeputyReport) -> list[Table]:
    groups = (
        ("level", "按代表层级", "层级", report.by_level),
        ("constituency", "按选区", "选区", report.by_constituency),
        ("station", "按联络站", "联络站", report.by_station),
    )
    tables = _grouped_tables(
        "代表履职", groups, report.total, _deputy_columns, _deputy_row, texts.DEPUTY_DEFINITIONS
    )
    people = Table(
        "deputy",
        "代表履职（按代表）",
        (
            Column("代表"),
            Column("层级 · 选区 · 联络站"),
            Column("提交数", COUNT),
            Column("答复率", RATE, ("已答复数", "")),
            Column(texts.SATISFACTION_RATE, RATE, ("满意及基本满意数", "已评价数")),
        ),
        [
            (row.label, _detail(row), row.filed, row.answered_rate, row.satisfaction)
            for row in report.by_deputy
        ],
        texts.DEPUTY_DEFINITIONS,
    )
    return [*tables, people]


def quality_tables(report: QualityReport) -> list[Table]:
    week = report.filter.period == "week"
    period = "周" if week else "月份"
    notes = texts.QUALITY_DEFINITIONS
    return [
        Table(
            "period",
            f"分派准确率（按{period}）",
            (
                Column(period),
                Column("已复核", COUNT),
                Column(texts.ACCURACY, RATE, ("一致数", "")),
                Column("不一致", COUNT),
            ),
            [
                *(
                    (_period(row.label, week), row.reviewed, row.accuracy, row.corrected)
                    for row in report.periods
                ),
                (
                    texts.TOTAL,
                    report.total.total,
                    report.total,
                    report.total.total - report.total.hits,
                ),
            ],
            notes,
        ),
        Table(
            "confusion",
            "分类器与最终承办单位不一致",
            (
                Column("分类器选择"),
                Column("最终承办单位"),
                Column("记录数", COUNT),
                Column("占分类器选择的比例", RATE, ("", "分类器选择该单位数")),
            ),
            [
                (texts.label(row.suggested), texts.label(row.final), row.decisions, row.share)
                for row in report.confusions
            ],
            notes,
        ),
        Table(
            "department",
            "各承办单位查准率与查全率",
            (
                Column("承办单位"),
                Column("分类器选择数", COUNT),
                Column("查准率", RATE, ("选对数", "")),
                Column("最终承办数", COUNT),
                Column("查全率", RATE),
            ),
            [
                (texts.label(row.department), row.picked, row.precision, row.final, row.recall)
                for row in report.departments
            ],
            notes,
        ),
    ]


def _detail(row: DeputyRow) -> str:
    return " · ".join(map(texts.label, row.detail))


def _period(key: str, week: bool) -> str:
    return texts.week_label(key) if week else key
