"""Aggregates behind the 三率 and 履职 statistics (never commits).

Each query scans once and groups in the database; the service rolls the small result up (a
department × district × month cube is at most a few thousand rows whatever the ticket count).
The indexes these queries lean on are declared in the models and created by migration 0006."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql.elements import ColumnElement

from storage.models import (
    Department,
    Deputy,
    District,
    Rating,
    RatingScore,
    Report,
    ReportStatus,
    Ticket,
)
from storage.repositories import sql_periods

# A withdrawn ticket was never the department's to answer.
NOT_COUNTED = (ReportStatus.WITHDRAWN.value,)
# Past its deadline but no longer the department's to answer (or answered already).
NOT_OVERDUE = (
    ReportStatus.ANSWERED.value,
    ReportStatus.CLOSED.value,
    ReportStatus.WITHDRAWN.value,
    ReportStatus.RETURNED.value,
)
NOT_FILED = (ReportStatus.DRAFT.value, ReportStatus.WITHDRAWN.value)
# A report whose deputy has had an answer (a 重办 one was answered before it reopened).
REPORT_ANSWERED = (
    ReportStatus.ANSWERED.value,
    ReportStatus.CLOSED.value,
    ReportStatus.REOPENED.value,
)
CONTENT = (RatingScore.SATISFIED.value, RatingScore.BASICALLY.value)


@dataclass(frozen=True)
class Scope:
    """Which tickets or reports count: created in [start, end) (UTC), in a district/department."""

    start: datetime | None = None
    end: datetime | None = None
    district_id: int | None = None
    department_id: int | None = None


@dataclass(frozen=True)
class TicketCell:
    """Counts for one department × district × month (China time) of ticket creation."""

    department_id: int | None
    district_id: int | None
    month: str
    tickets: int
    accept_due: int
    accepted_on_time: int
    handled: int
    resolved: int
    rated: int
    content: int
    answered: int
    handling_seconds: float
    overdue: int
    overdue_urged: int
    overdue_escalated: int
    # The next moment a count here changes by the clock alone (an acceptance or handling
    # deadline passing); None when no deadline ahead can change one.
    changes_at: datetime | None = None


@dataclass(frozen=True)
class DeputyCell:
    deputy_id: int
    name: str
    level: str
    constituency: str
    station: str
    filed: int
    answered: int
    rated: int
    content: int


@dataclass(frozen=True)
class OverdueTicket:
    number: str
    summary: str
    department_id: int | None
    district_id: int | None
    due_at: datetime
    urged: bool
    escalated: bool


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    # SUM over a 0/1 CASE: portable, and NULL (unknown) counts as 0.
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def latest_ratings() -> Any:
    """Each report's rating of its latest rated round (report_id, score)."""
    later = aliased(Rating)
    newer_round = exists().where(later.report_id == Rating.report_id, later.round > Rating.round)
    return select(Rating.report_id, Rating.score).where(~newer_round).subquery("latest_rating")


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """Past the handling deadline and still the department's to answer."""
    return and_(Ticket.due_at < now, owed_condition())


def owed_condition() -> ColumnElement[bool]:
    """The department still owes an answer; a pending 延期 request stops the clock (the
    deadline watcher sends nothing for it either)."""
    return and_(Ticket.status.not_in(NOT_OVERDUE), Ticket.extension_pending.is_(False))


def urged_condition() -> ColumnElement[bool]:
    """催办: by the deputy (at most daily) or by the deadline watcher once a deadline passed."""
    return or_(
        Ticket.last_urged_at.is_not(None),
        Ticket.due_overdue_for.is_not(None),
        Ticket.accept_overdue_for.is_not(None),
    )


class StatisticsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _dialect(self) -> str:
        return self._session.bind.dialect.name

    async def ticket_cube(self, scope: Scope, now: datetime) -> list[TicketCell]:
        rating = latest_ratings()
        month = sql_periods.month(self._dialect, Ticket.created_at).label("month")
        answered = Ticket.answered_at.is_not(None)
        handled = or_(answered, Ticket.closed_at.is_not(None))
        overdue = overdue_condition(now)
        seconds = sql_periods.seconds_between(self._dialect, Ticket.created_at, Ticket.answered_at)
        query = (
            select(
                Ticket.department_id,
                Report.district_id,
                month,
                func.count(),
                _count(
                    and_(
                        Ticket.accept_due_at.is_not(None),
                        or_(Ticket.accepted_at.is_not(None), Ticket.accept_due_at <= now),
                    )
                ),
                _count(Ticket.accepted_at <= Ticket.accept_due_at),
                _count(handled),
                _count(
                    and_(
                        handled,  # so the resolved are always among the handled
                        Ticket.status == ReportStatus.CLOSED.value,
                        func.coalesce(rating.c.score, "") != RatingScore.UNSATISFIED.value,
                    )
                ),
                _count(rating.c.score.is_not(None)),
                _count(rating.c.score.in_(CONTENT)),
                _count(answered),
                func.coalesce(func.sum(seconds), 0.0),  # NULL unless answered
                _count(overdue),
                _count(and_(overdue, urged_condition())),
                _count(and_(overdue, Ticket.escalated.is_(True))),
                func.min(
                    case(
                        (
                            and_(Ticket.accepted_at.is_(None), Ticket.accept_due_at > now),
                            Ticket.accept_due_at,
                        )
                    )
                ),
                func.min(case((and_(Ticket.due_at >= now, owed_condition()), Ticket.due_at))),
            )
            .join(Report, Report.id == Ticket.report_id)
            .outerjoin(rating, rating.c.report_id == Ticket.report_id)
            .where(Ticket.status.not_in(NOT_COUNTED))
            # Month first: SQLite then scans the table instead of walking an index on
            # department_id row by row (3× slower at 100,000 tickets).
            .group_by(month, Ticket.department_id, Report.district_id)
        )
        rows = await self._session.execute(self._scoped_tickets(query, scope))
        return [_ticket_cell(tuple(row)) for row in rows]

    async def latest_ids(self) -> tuple[int, int]:
        """The newest ticket id and rating id (0 when none): what changed_months compares."""
        ticket = await self._session.scalar(select(func.max(Ticket.id)))
        rating = await self._session.scalar(select(func.max(Rating.id)))
        return int(ticket or 0), int(rating or 0)

    async def changed_months(self, since: datetime, after_ids: tuple[int, int]) -> set[str]:
        """The months (China time, of ticket creation) of the tickets written after `since`:
        the ticket itself, its report, or a rating of it; and of the tickets and ratings added
        after the ids `after_ids` (rows imported with their own old timestamps, too)."""
        month = sql_periods.month(self._dialect, Ticket.created_at)
        ticket_id, rating_id = after_ids
        by_ticket = select(month).where(Ticket.updated_at > since)
        new_tickets = select(month).where(Ticket.id > ticket_id)
        by_report = (
            select(month)
            .join(Report, Report.id == Ticket.report_id)
            .where(Report.updated_at > since)
        )
        rated = select(month).join(Rating, Rating.report_id == Ticket.report_id)
        by_rating = rated.where(Rating.created_at > since)
        new_ratings = rated.where(Rating.id > rating_id)
        rows = await self._session.execute(
            union(by_ticket, new_tickets, by_report, by_rating, new_ratings)
        )
        return {row[0] for row in rows}

    async def deputy_cube(self, scope: Scope) -> list[DeputyCell]:
        """Per deputy. Deputies without a report in scope are listed too (with zeros) unless a
        department is chosen, so the 履职 tables also show who has filed nothing."""
        # An expression, not the bare column: SQLite then scans the table rather than walking
        # the (deputy_id, created_at) index row by row (3× slower over every report).
        deputy = (Report.deputy_id + 0).label("deputy")
        filed = await self._session.execute(
            self._scoped_reports(
                select(deputy, func.count(), _count(Report.status.in_(REPORT_ANSWERED))),
                scope,
            ).group_by(deputy)
        )
        counts = {row[0]: (int(row[1]), int(row[2] or 0)) for row in filed}
        rating = latest_ratings()
        rated = await self._session.execute(
            self._scoped_reports(
                select(deputy, func.count(), _count(rating.c.score.in_(CONTENT))), scope
            )
            .join(rating, rating.c.report_id == Report.id)
            .group_by(deputy)
        )
        ratings = {row[0]: (int(row[1]), int(row[2] or 0)) for row in rated}
        cells = []
        deputies = select(
            Deputy.id,
            Deputy.name,
            Deputy.level,
            Deputy.constituency,
            Deputy.station,
            Deputy.active,
            Deputy.district_id,
        )
        # The registry is small (thousands): filtering it here beats an IN list of ids.
        for row in await self._session.execute(deputies):
            deputy_id, name, level, constituency, station, active, district_id = row
            if deputy_id not in counts and not _listed_idle(scope, active, district_id):
                continue
            filed_count, answered = counts.get(deputy_id, (0, 0))
            rated_count, content = ratings.get(deputy_id, (0, 0))
            cells.append(
                DeputyCell(
                    deputy_id,
                    name,
                    level,
                    constituency,
                    station,
                    filed_count,
                    answered,
                    rated_count,
                    content,
                )
            )
        return cells

    async def overdue_tickets(
        self, scope: Scope, now: datetime, limit: int
    ) -> list[OverdueTicket]:
        """The longest-overdue tickets first."""
        query = (
            select(
                Report.number,
                Report.summary,
                Ticket.department_id,
                Report.district_id,
                Ticket.due_at,
                urged_condition(),
                Ticket.escalated,
            )
            .join(Report, Report.id == Ticket.report_id)
            .where(overdue_condition(now))
            .order_by(Ticket.due_at, Ticket.id)
            .limit(limit)
        )
        rows = await self._session.execute(self._scoped_tickets(query, scope))
        return [
            OverdueTicket(row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]))
            for row in rows
        ]

    async def departments(self) -> list[tuple[int, str, str]]:
        """(id, code, name) of every department, inactive ones too: old tickets name them."""
        rows = await self._session.execute(select(Department.id, Department.code, Department.name))
        return [(row[0], row[1], row[2]) for row in rows]

    async def districts(self) -> list[tuple[int, str, str]]:
        rows = await self._session.execute(select(District.id, District.code, District.name))
        return [(row[0], row[1], row[2]) for row in rows]

    async def department_names(self) -> dict[int, str]:
        return {row[0]: row[2] for row in await self.departments()}

    @staticmethod
    def _scoped_tickets(query: Select[Any], scope: Scope) -> Select[Any]:
        return _scoped(query, scope, Ticket.created_at, Ticket.department_id)

    @staticmethod
    def _scoped_reports(query: Select[Any], scope: Scope) -> Select[Any]:
        filed = query.where(Report.status.not_in(NOT_FILED))
        return _scoped(filed, scope, Report.created_at, Report.department_id)


def _scoped(
    query: Select[Any],
    scope: Scope,
    created_at: InstrumentedAttribute[datetime],
    department_id: InstrumentedAttribute[int | None],
) -> Select[Any]:
    """The scope's period on `created_at` and its department on `department_id` (a ticket's
    own, or its report's); the district is always the report's."""
    if scope.start is not None:
        query = query.where(created_at >= scope.start)
    if scope.end is not None:
        query = query.where(created_at < scope.end)
    if scope.district_id is not None:
        query = query.where(Report.district_id == scope.district_id)
    if scope.department_id is not None:
        query = query.where(department_id == scope.department_id)
    return query


def _listed_idle(scope: Scope, active: bool, district_id: int | None) -> bool:
    """A deputy with nothing filed is listed (as a zero) for the registry's view, not when the
    question is about one department's reports."""
    if scope.department_id is not None or not active:
        return False
    return scope.district_id is None or district_id == scope.district_id


def _ticket_cell(row: tuple[Any, ...]) -> TicketCell:
    (tickets, accept_due, on_time, handled, resolved, rated, content, answered) = (
        int(value or 0) for value in row[3:11]
    )
    overdue, urged, escalated = (int(value or 0) for value in row[12:15])
    deadlines = [moment for moment in row[15:17] if moment is not None]
    return TicketCell(
        row[0],
        row[1],
        row[2],
        tickets,
        accept_due,
        on_time,
        handled,
        resolved,
        rated,
        content,
        answered,
        float(row[11] or 0.0),
        overdue,
        urged,
        escalated,
        min(deadlines, default=None),
    )
