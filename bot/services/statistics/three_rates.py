"""三率 statistics for the admins (人大代表工委): how well departments answer deputies' reports.

Definitions (the same words are shown on the page and exported: console/statistics_texts.py):
- Scope: tickets by creation (dispatch) time in China time (UTC+8), withdrawn tickets excluded;
  district = the report's district, department = the ticket's current department.
- 响应率 (response rate) = tickets accepted on time (`accepted_at <= accept_due_at`) / tickets
  whose acceptance was due (an acceptance deadline is set and either passed or already met).
- 解决率 (resolution rate) = resolved / handled. Handled: answered or closed. Resolved: status
  已办结 and the latest rating is not 不满意 (a 重办 that ends well counts as resolved).
- 满意率 (satisfaction rate) = (满意 + 基本满意) / rated, counting each report's latest rated
  round only.
- A rate whose denominator is 0 is shown as "—", never as 0 % (nothing was measured).
- Overdue: `due_at` passed, the ticket neither answered nor closed (withdrawn and returned ones
  aside, and none while a 延期 request stops the clock); 催办 = urged by the deputy or by the
  deadline watcher, 督办 = `escalated`.
- Average handling time: hours from ticket creation to its (latest) answer, over answered tickets.

All counting happens in SQL (storage/repositories/statistics.py): one grouped scan gives a
department × district × month cube, which this module rolls up into the three views. The console
keeps the cube's whole months between views (bot/services/statistics/rollup.py) and recounts
only the months that changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.clock import CHINA_TIME
from bot.services.statistics.deputies import DeputyReport, deputy_report
from bot.services.statistics.filters import (
    FilterError,
    FilterProblem,
    StatsFilter,
    months_between,
    utc_bounds,
)
from bot.services.statistics.rate import Rate, Unnamed
from bot.services.statistics.rollup import TicketRollup, scoped_days, split_period
from storage.base import utcnow
from storage.repositories.statistics import OverdueTicket, Scope, TicketCell
from storage.uow import UnitOfWork

OVERDUE_LIST_LIMIT = 50  # on the page; a download asks for more


@dataclass
class _Sums:
    """Additive counts, so cube cells can be summed into any grouping."""

    tickets: int = 0
    accept_due: int = 0
    accepted_on_time: int = 0
    handled: int = 0
    resolved: int = 0
    rated: int = 0
    content: int = 0
    answered: int = 0
    handling_seconds: float = 0.0
    overdue: int = 0
    overdue_urged: int = 0
    overdue_escalated: int = 0

    def add(self, cell: TicketCell) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(cell, name))


@dataclass(frozen=True)
class RateRow:
    """One line of a 三率 table: a department, a district, a month, or the total."""

    key: str
    label: str
    tickets: int
    response: Rate
    resolution: Rate
    satisfaction: Rate
    answered: int
    avg_handling_hours: float | None
    overdue: int
    overdue_urged: int
    overdue_escalated: int

    @classmethod
    def of(cls, key: str, label: str, sums: _Sums) -> RateRow:
        hours = sums.handling_seconds / sums.answered / 3600 if sums.answered else None
        return cls(
            key=key,
            label=label,
            tickets=sums.tickets,
            response=Rate(sums.accepted_on_time, sums.accept_due),
            resolution=Rate(sums.resolved, sums.handled),
            satisfaction=Rate(sums.content, sums.rated),
            answered=sums.answered,
            avg_handling_hours=hours,
            overdue=sums.overdue,
            overdue_urged=sums.overdue_urged,
            overdue_escalated=sums.overdue_escalated,
        )


@dataclass(frozen=True)
class OverdueItem:
    number: str
    summary: str
    department: str
    district: str
    due_at: datetime  # China time
    overdue_hours: float
    urged: bool
    escalated: bool


@dataclass(frozen=True)
class Choice:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class FilterOptions:
    """What the filter form offers, by name; and the ids the chosen codes stand for."""

    departments: list[Choice]
    districts: list[Choice]
    department_id: int | None = None
    district_id: int | None = None

    def department_names(self) -> dict[int, str]:
        return {choice.id: choice.name for choice in self.departments}

    def district_names(self) -> dict[int, str]:
        return {choice.id: choice.name for choice in self.districts}

    def scope(self, flt: StatsFilter) -> Scope:
        """China-time calendar days → a half-open interval the indexes can use."""
        start, end = utc_bounds(flt.start, flt.end)
        return Scope(start, end, district_id=self.district_id, department_id=self.department_id)


@dataclass(frozen=True)
class RatesReport:
    filter: StatsFilter
    generated_at: datetime  # China time
    total: RateRow
    by_department: list[RateRow]
    by_district: list[RateRow]
    by_month: list[RateRow]
    overdue: list[OverdueItem] = field(default_factory=list)


class StatisticsService:
    def __init__(self, uow: UnitOfWork, rollup: TicketRollup | None = None) -> None:
        """`rollup`: the month cells kept between calls (without one, every call scans)."""
        self._repo = uow.statistics
        self._rollup = rollup

    async def options(self, flt: StatsFilter) -> FilterOptions:
        """The form's choices; FilterError when the filter names an unknown code."""
        departments = _by_name(await self._repo.departments())
        districts = _by_name(await self._repo.districts())
        return FilterOptions(
            departments,
            districts,
            department_id=_chosen(departments, flt.department, "department"),
            district_id=_chosen(districts, flt.district, "district"),
        )

    async def rates(
        self,
        flt: StatsFilter,
        *,
        options: FilterOptions | None = None,
        now: datetime | None = None,
    ) -> RatesReport:
        """`options`: this filter's options() when the caller has them already."""
        now = now or utcnow()
        options = options or await self.options(flt)
        cells = await self._ticket_cube(flt, options.scope(flt), now)
        overdue = await self.overdue(flt, options=options, now=now)
        departments = _namer(options.department_names(), Unnamed.NO_DEPARTMENT)
        districts = _namer(options.district_names(), Unnamed.NO_DISTRICT)
        total = _Sums()
        for cell in cells:
            total.add(cell)
        months = sorted({cell.month for cell in cells})
        month_keys = months_between(months[0], months[-1]) if months else []
        return RatesReport(
            filter=flt,
            generated_at=now.astimezone(CHINA_TIME),
            total=RateRow.of("total", Unnamed.TOTAL, total),
            by_department=_group(cells, lambda c: c.department_id, departments),
            by_district=_group(cells, lambda c: c.district_id, districts),
            by_month=_by_month(cells, month_keys),
            overdue=overdue,
        )

    async def overdue(
        self,
        flt: StatsFilter,
        *,
        options: FilterOptions,
        now: datetime | None = None,
        limit: int = OVERDUE_LIST_LIMIT,
    ) -> list[OverdueItem]:
        """The overdue tickets in the filter's scope, the longest-overdue first."""
        now = now or utcnow()
        tickets = await self._repo.overdue_tickets(options.scope(flt), now, limit)
        departments = _namer(options.department_names(), Unnamed.NO_DEPARTMENT)
        districts = _namer(options.district_names(), Unnamed.NO_DISTRICT)
        return [_overdue_item(t, departments, districts, now) for t in tickets]

    async def warm_up(self) -> None:
        """Count every month into the roll-up now (at start), not at the first page view."""
        if self._rollup is not None:
            await self._rollup.refresh(self._repo, utcnow())

    async def _ticket_cube(
        self, flt: StatsFilter, scope: Scope, now: datetime
    ) -> list[TicketCell]:
        """Whole months from the roll-up, where there is one; partial months counted by day."""
        if self._rollup is None:
            return await self._repo.ticket_cube(scope, now)
        months, partial = split_period(flt.start, flt.end, now.astimezone(CHINA_TIME).date())
        cells = await self._rollup.cells(self._repo, scope, months, now) if months else []
        for first, last in partial:
            cells += await self._repo.ticket_cube(scoped_days(scope, first, last), now)
        return cells

    async def deputies(
        self, flt: StatsFilter, *, options: FilterOptions | None = None
    ) -> DeputyReport:
        """Deputy 履职: reports filed in the period (drafts and withdrawn ones aside)."""
        options = options or await self.options(flt)
        return deputy_report(await self._repo.deputy_cube(options.scope(flt)))


def _by_name(rows: list[tuple[int, str, str]]) -> list[Choice]:
    return sorted((Choice(*row) for row in rows), key=lambda c: (c.name, c.code))


def _chosen(choices: list[Choice], code: str | None, field: str) -> int | None:
    if code is None:
        return None
    for choice in choices:
        if choice.code == code:
            return choice.id
    raise FilterError(FilterProblem.UNKNOWN, field=field)


def _namer(names: dict[int, str], missing: str) -> Callable[[int | None], str]:
    return lambda key: missing if key is None else names.get(key, f"#{key}")


def _group(
    cells: Iterable[TicketCell],
    key: Callable[[TicketCell], int | None],
    label: Callable[[int | None], str],
) -> list[RateRow]:
    """Sum cells by `key`; the busiest groups first, ties by label."""
    sums: dict[int | None, _Sums] = {}
    for cell in cells:
        sums.setdefault(key(cell), _Sums()).add(cell)
    rows = [RateRow.of(str(k or ""), label(k), s) for k, s in sums.items()]
    return sorted(rows, key=lambda row: (-row.tickets, row.label))


def _by_month(cells: Iterable[TicketCell], months: list[str]) -> list[RateRow]:
    sums = {month: _Sums() for month in months}  # months without tickets stay as empty rows
    for cell in cells:
        sums[cell.month].add(cell)
    return [RateRow.of(month, month, sums[month]) for month in months]


def _overdue_item(
    ticket: OverdueTicket,
    departments: Callable[[int | None], str],
    districts: Callable[[int | None], str],
    now: datetime,
) -> OverdueItem:
    return OverdueItem(
        number=ticket.number,
        summary=ticket.summary,
        department=departments(ticket.department_id),
        district=districts(ticket.district_id),
        due_at=ticket.due_at.astimezone(CHINA_TIME),
        overdue_hours=(now - ticket.due_at).total_seconds() / 3600,
        urged=ticket.urged,
        escalated=ticket.escalated,
    )
