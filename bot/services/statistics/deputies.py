"""Deputy 履职 statistics: reports filed, answered and satisfaction, by deputy level, 选区,
联络站 and deputy. The database groups per deputy; this module sums those rows (one per
deputy, never one per report) into the coarser views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.services.statistics.rate import Rate, Unnamed
from storage.models import DeputyLevel
from storage.repositories.statistics import DeputyCell

LEVEL_ORDER = {level.value: index for index, level in enumerate(DeputyLevel)}


@dataclass(frozen=True)
class DeputyRow:
    key: str
    label: str
    detail: tuple[str, ...]  # for one deputy: level, 选区, 联络站; () for a group
    deputies: int  # deputies in the group
    active_deputies: int  # of them, those who filed at least one report
    filed: int
    answered: int
    satisfaction: Rate

    @property
    def answered_rate(self) -> Rate:
        return Rate(self.answered, self.filed)


@dataclass(frozen=True)
class DeputyReport:
    total: DeputyRow
    by_level: list[DeputyRow]
    by_constituency: list[DeputyRow]
    by_station: list[DeputyRow]
    by_deputy: list[DeputyRow]  # the most active first


def deputy_report(cells: list[DeputyCell]) -> DeputyReport:
    levels = _group(cells, lambda c: c.level, lambda key: key or Unnamed.NO_LEVEL)
    levels.sort(key=lambda row: (LEVEL_ORDER.get(row.key, len(LEVEL_ORDER)), row.key))
    people = [_row(str(c.deputy_id), c.name, [c], _detail(c)) for c in cells]
    people.sort(key=lambda row: (-row.filed, -row.answered, row.label, row.key))
    return DeputyReport(
        total=_row("total", Unnamed.TOTAL, cells),
        by_level=levels,
        by_constituency=_busiest(
            _group(cells, lambda c: c.constituency, lambda k: k or Unnamed.NO_CONSTITUENCY)
        ),
        by_station=_busiest(_group(cells, lambda c: c.station, lambda k: k or Unnamed.NO_STATION)),
        by_deputy=people,
    )


def _detail(cell: DeputyCell) -> tuple[str, ...]:
    """Level, 选区 and 联络站; an empty one is Unnamed (the console words it)."""
    return (
        cell.level,
        cell.constituency or Unnamed.NO_CONSTITUENCY,
        cell.station or Unnamed.NO_STATION,
    )


def _group(
    cells: Iterable[DeputyCell], key: Callable[[DeputyCell], str], label: Callable[[str], str]
) -> list[DeputyRow]:
    groups: dict[str, list[DeputyCell]] = {}
    for cell in cells:
        groups.setdefault(key(cell), []).append(cell)
    return [_row(k, label(k), members) for k, members in groups.items()]


def _busiest(rows: list[DeputyRow]) -> list[DeputyRow]:
    return sorted(rows, key=lambda row: (-row.filed, row.label))


def _row(
    key: str, label: str, cells: Iterable[DeputyCell], detail: tuple[str, ...] = ()
) -> DeputyRow:
    members = list(cells)
    return DeputyRow(
        key=key,
        label=label,
        detail=detail,
        deputies=len(members),
        active_deputies=sum(1 for c in members if c.filed),
        filed=sum(c.filed for c in members),
        answered=sum(c.answered for c in members),
        satisfaction=Rate(sum(c.content for c in members), sum(c.rated for c in members)),
    )
