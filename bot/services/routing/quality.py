"""Routing quality: how often the classifier's department is the one the admins keep.

Definitions (shown on the page: console/statistics_texts.py QUALITY_DEFINITIONS):
- Counted: routing decisions an admin reviewed — 确认 (confirmed) or 更正 / 人工分派 (corrected) —
  by the decision's time in China time, per month or per week (weeks start on Monday).
- 准确率 (accuracy) = reviewed decisions whose suggested department equals the final department
  / reviewed decisions. A decision without a suggestion counts as a miss.
- Confusion: for every (classifier's department, final department) pair that differ, how many
  decisions, and their share of the classifier's picks of that department.
- Per department: 查准率 (precision) = picks of it that the admins kept / the classifier's picks
  of it; 查全率 (recall) = its reviewed reports the classifier found / reviewed reports finally
  routed to it. A 0 denominator shows "—".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bot.services.statistics.filters import (
    QualityFilter,
    months_between,
    utc_bounds,
    weeks_between,
)
from bot.services.statistics.rate import Rate, Unnamed
from storage.repositories.routing_quality import DecisionCell
from storage.uow import UnitOfWork

_Namer = Callable[[int | None], str]  # department id → shown name
MATRIX_SIZE = 10  # departments in the confusion heatmap: those most often involved in a miss


@dataclass(frozen=True)
class PeriodRow:
    period: str
    label: str
    reviewed: int
    accuracy: Rate
    corrected: int  # reviewed decisions where the admin's department differs


@dataclass(frozen=True)
class ConfusionRow:
    suggested: str
    final: str
    decisions: int
    share: Rate  # of the classifier's picks of `suggested`


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    picked: int
    precision: Rate
    final: int
    recall: Rate


@dataclass(frozen=True)
class Matrix:
    """Misses between the departments most involved: counts[suggested][final]."""

    labels: list[str]
    counts: list[list[int]]


@dataclass(frozen=True)
class QualityReport:
    filter: QualityFilter
    total: Rate
    periods: list[PeriodRow]
    confusions: list[ConfusionRow]
    departments: list[DepartmentRow]
    matrix: Matrix


async def routing_quality(uow: UnitOfWork, flt: QualityFilter) -> QualityReport:
    start, end = utc_bounds(flt.start, flt.end)
    cells = await uow.routing_quality.reviewed_cells(flt.period, start, end)
    names = await uow.statistics.department_names()

    def name(department_id: int | None) -> str:
        if department_id is None:
            return Unnamed.NO_SUGGESTION
        return names.get(department_id, f"#{department_id}")

    pairs: Counter[tuple[int | None, int | None]] = Counter()
    for cell in cells:
        pairs[cell.suggested_id, cell.final_id] += cell.decisions
    picked: Counter[int | None] = Counter()
    final: Counter[int | None] = Counter()
    for (suggested, chosen), count in pairs.items():
        picked[suggested] += count
        final[chosen] += count
    return QualityReport(
        filter=flt,
        total=Rate(sum(_hits(cell) for cell in cells), sum(pairs.values())),
        periods=_periods(cells, flt.period),
        confusions=_confusions(pairs, picked, name),
        departments=_departments(pairs, picked, final, name),
        matrix=_matrix(pairs, name),
    )


def _hits(cell: DecisionCell) -> int:
    agreed = cell.suggested_id is not None and cell.suggested_id == cell.final_id
    return cell.decisions if agreed else 0


def _periods(cells: list[DecisionCell], period: str) -> list[PeriodRow]:
    reviewed: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for cell in cells:
        reviewed[cell.period] += cell.decisions
        hits[cell.period] += _hits(cell)
    if not reviewed:
        return []
    spread = weeks_between if period == "week" else months_between
    keys = spread(min(reviewed), max(reviewed))  # quiet periods stay as empty rows
    return [
        PeriodRow(
            period=key,
            label=key,  # a month 'YYYY-MM', or the Monday 'YYYY-MM-DD' of a week
            reviewed=reviewed[key],
            accuracy=Rate(hits[key], reviewed[key]),
            corrected=reviewed[key] - hits[key],
        )
        for key in keys
    ]


def _confusions(
    pairs: Counter[tuple[int | None, int | None]],
    picked: Counter[int | None],
    name: _Namer,
) -> list[ConfusionRow]:
    rows = [
        ConfusionRow(name(suggested), name(chosen), count, Rate(count, picked[suggested]))
        for (suggested, chosen), count in pairs.items()
        if suggested is None or suggested != chosen
    ]
    return sorted(rows, key=lambda row: (-row.decisions, row.suggested, row.final))


def _departments(
    pairs: Counter[tuple[int | None, int | None]],
    picked: Counter[int | None],
    final: Counter[int | None],
    name: _Namer,
) -> list[DepartmentRow]:
    keys = {key for key in (*picked, *final) if key is not None}
    rows = [
        DepartmentRow(
            department=name(key),
            picked=picked[key],
            precision=Rate(pairs[key, key], picked[key]),
            final=final[key],
            recall=Rate(pairs[key, key], final[key]),
        )
        for key in keys
    ]
    return sorted(rows, key=lambda row: (-row.final, -row.picked, row.department))


def _matrix(pairs: Counter[tuple[int | None, int | None]], name: _Namer) -> Matrix:
    involved: Counter[int | None] = Counter()
    for (suggested, chosen), count in pairs.items():
        if suggested != chosen or suggested is None:
            involved[suggested] += count
            involved[chosen] += count
    top = sorted(involved, key=lambda key: (-involved[key], name(key)))[:MATRIX_SIZE]
    counts = [[pairs[row, column] if row != column else 0 for column in top] for row in top]
    return Matrix([name(key) for key in top], counts)
