"""督办 in the statistics: cases per department and month (列入、发起、办结 and the outcomes),
and per deputy for the 履职 record. Counted by the month the case was opened, China time, over
the statistics filter's dates and department."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bot.core.clock import CHINA_TIME
from bot.services.console.common import directory_maps
from bot.services.statistics.filters import StatsFilter, utc_bounds
from storage.models import SupervisionCase, SupervisionState
from storage.uow import UnitOfWork


@dataclass
class SupervisionCount:
    opened: int = 0  # 列入督办
    started: int = 0  # 发起督办
    closed: int = 0  # 办结督办
    outcomes: list[str] = field(default_factory=list)

    def add(self, case: SupervisionCase) -> None:
        self.opened += 1
        self.started += case.started_at is not None
        if case.state == SupervisionState.CLOSED.value:
            self.closed += 1
            if case.outcome:
                self.outcomes.append(case.outcome)


@dataclass(frozen=True)
class SupervisionRow:
    label: str  # department · month, or the deputy's name
    count: SupervisionCount


@dataclass(frozen=True)
class SupervisionReport:
    by_department_month: list[SupervisionRow]
    by_deputy: list[SupervisionRow]
    total: SupervisionCount


async def supervision_report(uow: UnitOfWork, flt: StatsFilter) -> SupervisionReport:
    start, end = utc_bounds(flt.start, flt.end)
    departments, _ = await directory_maps(uow)
    wanted = flt.department
    by_month: dict[tuple[str, str], SupervisionCount] = defaultdict(SupervisionCount)
    by_deputy: dict[int, SupervisionCount] = defaultdict(SupervisionCount)
    total = SupervisionCount()
    for case, deputy_id in await uow.supervision.cases_between(start, end):
        department = departments.get(case.department_id or 0)
        if wanted and (department is None or department.code != wanted):
            continue
        month = case.created_at.astimezone(CHINA_TIME).strftime("%Y-%m")
        by_month[(department.name if department else "（未分派）", month)].add(case)
        by_deputy[deputy_id].add(case)
        total.add(case)
    deputy_rows = []
    for deputy_id, count in by_deputy.items():
        deputy = await uow.deputies.get(deputy_id)
        deputy_rows.append(SupervisionRow(deputy.name if deputy else str(deputy_id), count))
    return SupervisionReport(
        by_department_month=[
            SupervisionRow(f"{name} · {month}", count)
            for (name, month), count in sorted(
                by_month.items(), key=lambda kv: (kv[0][1], kv[0][0])
            )
        ],
        by_deputy=sorted(deputy_rows, key=lambda row: (-row.count.opened, row.label)),
        total=total,
    )
