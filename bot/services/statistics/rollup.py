"""The 三率 cube kept between page views, so a page does not scan a year of tickets each time.

Every month's department × district cells (China time, unfiltered) are computed once; after
that a month is computed again only when
- a ticket created in it, its report or a rating of it was written since the last check (less
  SAFETY_MARGIN: a transaction may commit a while after it stamped `updated_at`), or a ticket
  or rating of it was added since (by id: imported rows may carry old timestamps), or
- one of its deadlines has passed since it was computed (the 响应 and 超期 counts depend on the
  clock, not only on what was written).
A page then costs the change check, the months written to in the last few minutes, and the
partial months at the edges of a period (counted directly, by day).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.services.statistics.filters import utc_bounds
from storage.repositories.statistics import Scope, StatisticsRepository, TicketCell

# Longer than any unit of work stays open between stamping a ticket and committing it.
SAFETY_MARGIN = timedelta(minutes=5)


@dataclass
class _Month:
    cells: list[TicketCell]
    changes_at: datetime | None  # the earliest deadline ahead among its tickets


class TicketRollup:
    """One per database and process (the console keeps it beside its page cache)."""

    def __init__(self) -> None:
        self._months: dict[str, _Month] = {}
        self._checked_at: datetime | None = None
        self._latest_ids = (0, 0)  # the newest ticket and rating ids at the last check
        self._lock = asyncio.Lock()  # one refresh at a time; the others then find it done

    @property
    def months(self) -> list[str]:
        """The months counted so far."""
        return sorted(self._months)

    async def cells(
        self,
        repo: StatisticsRepository,
        scope: Scope,
        months: tuple[str | None, str | None],
        now: datetime,
    ) -> list[TicketCell]:
        """The cells of the whole months `months` (first, last; None: open-ended) in the
        scope's department and district, as counted at `now`."""
        await self.refresh(repo, now)
        first, last = months
        return [
            cell
            for month, entry in self._months.items()
            if (first is None or month >= first) and (last is None or month <= last)
            for cell in entry.cells
            if _in_scope(cell, scope)
        ]

    async def refresh(self, repo: StatisticsRepository, now: datetime) -> None:
        """Count what changed (everything, the first time) as of `now`."""
        async with self._lock:
            await self._refresh(repo, now)

    async def _refresh(self, repo: StatisticsRepository, now: datetime) -> None:
        latest_ids = await repo.latest_ids()  # read first: what is added meanwhile is newer
        if self._checked_at is None:
            self._months = _by_month(await repo.ticket_cube(Scope(), now))
        else:
            since = self._checked_at - SAFETY_MARGIN
            stale = await repo.changed_months(since, self._latest_ids)
            stale.update(
                month
                for month, entry in self._months.items()
                if entry.changes_at is not None and entry.changes_at <= now
            )
            for month in sorted(stale):
                start, end = month_bounds(month)
                self._months.pop(month, None)
                self._months.update(_by_month(await repo.ticket_cube(Scope(start, end), now)))
        self._checked_at, self._latest_ids = now, latest_ids


def split_period(
    start: date | None, end: date | None, today: date
) -> tuple[tuple[str | None, str | None] | None, list[tuple[date, date]]]:
    """A period of China-time days → (its whole months as (first, last), None for open ends;
    None if it holds no whole month) and the days of its partial months, counted directly."""
    if end is not None and end >= today:
        end = None  # nothing is created after today: this month so far is the whole month
    if start is not None and end is not None and _month(start) == _month(end):
        if start.day != 1 or end != _last_day(end):
            return None, [(start, end)]
    partial = []
    first = last = None
    if start is not None:
        if start.day == 1:
            first = _month(start)
        else:
            partial.append((start, _last_day(start)))
            first = _month(_last_day(start) + timedelta(days=1))
    if end is not None:
        if end == _last_day(end):
            last = _month(end)
        else:
            partial.append((end.replace(day=1), end))
            last = _month(end.replace(day=1) - timedelta(days=1))
    if first is not None and last is not None and first > last:
        return None, partial
    return (first, last), partial


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """'YYYY-MM' (China time) → its half-open UTC interval."""
    first = date(int(month[:4]), int(month[5:7]), 1)
    start, end = utc_bounds(first, _last_day(first))
    assert start is not None and end is not None
    return start, end


def scoped_days(scope: Scope, first: date, last: date) -> Scope:
    start, end = utc_bounds(first, last)
    return replace(scope, start=start, end=end)


def _in_scope(cell: TicketCell, scope: Scope) -> bool:
    return (scope.department_id is None or cell.department_id == scope.department_id) and (
        scope.district_id is None or cell.district_id == scope.district_id
    )


def _by_month(cells: list[TicketCell]) -> dict[str, _Month]:
    months: dict[str, _Month] = {}
    for cell in cells:
        entry = months.setdefault(cell.month, _Month([], None))
        entry.cells.append(cell)
        if cell.changes_at is not None and (
            entry.changes_at is None or cell.changes_at < entry.changes_at
        ):
            entry.changes_at = cell.changes_at
    return months


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _last_day(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)
