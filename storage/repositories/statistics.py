"""Aggregates behind the 三率 and 履职 statistics (never commits).

Each query scans once and groups in the database; the service rolls the small result up (a
department × district × month cube is at most a few thousand rows whatever the ticket count)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
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

# A withdrawn ticket was never the department's to answer; a returned one is back in triage.
NOT_COUNTED = (ReportStatus.WITHDRAWN.value,)
NOT_OVERDUE = (ReportStatus.WITHDRAWN.value, ReportStatus.RETURNED.value)
NOT_FILED = (ReportStatus.DRAFT.value, ReportStatus.WITHDRAWN.value)
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


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _ticket_cell(row: tuple[Any, ...]) -> TicketCell:
    (tickets, accept_due, on_time, handled, resolved, rated, content, answered) = (
        int(value or 0) for value in row[3:11]
    )
    overdue, urged, escalated = (int(value or 0) for value in row[12:15])
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
    )


def latest_ratings() -> Any:
    """Each report's rating of its latest answer round (report_id, score)."""
    later = aliased(Rating)
    newer_round = exists().where(later.report_id == Rating.report_id, later.round > Rating.round)
    return select(Rating.report_id, Rating.score).where(~newer_round).subquery("latest_rating")


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
        overdue = and_(
            Ticket.due_at < now,
            Ticket.answered_at.is_(None),
            Ticket.closed_at.is_(None),
            Ticket.status.not_in(NOT_OVERDUE),
        )
        seconds = sql_periods.seconds_between(self._dialect, Ticket.created_at, Ticket.answered_at)
        query = (
            select(
                Ticket.department_id,
                Report.district_id,
                month,
                func.count(),
                _flag(
                    and_(
                        Ticket.accept_due_at.is_not(None),
                        or_(Ticket.accepted_at.is_not(None), Ticket.accept_due_at <= now),
                    )
                ),
                _flag(Ticket.accepted_at <= Ticket.accept_due_at),
                _flag(or_(answered, Ticket.closed_at.is_not(None))),
                _flag(
                    and_(
                        Ticket.status == ReportStatus.CLOSED.value,
                        Ticket.reopen_count == 0,
                        or_(rating.c.score.is_(None), rating.c.score != RatingScore.UNSATISFIED),
                    )
                ),
                _flag(rating.c.score.is_not(None)),
                _flag(rating.c.score.in_(CONTENT)),
                _flag(answered),
                func.coalesce(func.sum(case((answered, seconds), else_=None)), 0.0),
                _flag(overdue),
                _flag(and_(overdue, Ticket.last_urged_at.is_not(None))),
                _flag(and_(overdue, Ticket.escalated.is_(True))),
            )
            .join(Report, Report.id == Ticket.report_id)
            .outerjoin(rating, rating.c.report_id == Ticket.report_id)
            .where(Ticket.status.not_in(NOT_COUNTED))
            .group_by(Ticket.department_id, Report.district_id, month)
        )
        rows = await self._session.execute(self._scoped_tickets(query, scope))
        return [_ticket_cell(tuple(row)) for row in rows]

    async def deputy_cube(self, scope: Scope) -> list[DeputyCell]:
        """Per deputy; deputies without a report in scope are listed too (with zeros) unless a
        department is chosen, so the 履职 tables also show who has filed nothing."""
        rating = latest_ratings()
        filed = [Report.deputy_id == Deputy.id, Report.status.not_in(NOT_FILED)]
        if scope.start is not None:
            filed.append(Report.created_at >= scope.start)
        if scope.end is not None:
            filed.append(Report.created_at < scope.end)
        if scope.district_id is not None:
            filed.append(Report.district_id == scope.district_id)
        if scope.department_id is not None:
            filed.append(Report.department_id == scope.department_id)
        idle: ColumnElement[bool] = Deputy.active.is_(True)
        if scope.district_id is not None:
            idle = and_(idle, Deputy.district_id == scope.district_id)
        listed: ColumnElement[bool] = Report.id.is_not(None)
        if scope.department_id is None:
            listed = or_(listed, idle)
        query = (
            select(
                Deputy.id,
                Deputy.name,
                Deputy.level,
                Deputy.constituency,
                Deputy.station,
                func.count(Report.id),
                _flag(Ticket.answered_at.is_not(None)),
                _flag(rating.c.score.is_not(None)),
                _flag(rating.c.score.in_(CONTENT)),
            )
            .outerjoin(Report, and_(*filed))
            .outerjoin(Ticket, Ticket.report_id == Report.id)
            .outerjoin(rating, rating.c.report_id == Report.id)
            .where(listed)
            .group_by(Deputy.id, Deputy.name, Deputy.level, Deputy.constituency, Deputy.station)
        )
        rows = await self._session.execute(query)
        return [DeputyCell(*row[:5], *(int(v or 0) for v in row[5:])) for row in rows]

    async def overdue_tickets(
        self, scope: Scope, now: datetime, limit: int
    ) -> list[OverdueTicket]:
        """The longest-overdue unanswered tickets first."""
        query = (
            select(
                Report.number,
                Report.summary,
                Ticket.department_id,
                Report.district_id,
                Ticket.due_at,
                Ticket.last_urged_at.is_not(None),
                Ticket.escalated,
            )
            .join(Report, Report.id == Ticket.report_id)
            .where(
                Ticket.answered_at.is_(None),
                Ticket.due_at < now,
                Ticket.closed_at.is_(None),
                Ticket.status.not_in(NOT_OVERDUE),
            )
            .order_by(Ticket.due_at, Ticket.id)
            .limit(limit)
        )
        rows = await self._session.execute(self._scoped_tickets(query, scope))
        return [
            OverdueTicket(row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]))
            for row in rows
        ]

    async def department_names(self) -> dict[int, str]:
        rows = await self._session.execute(select(Department.id, Department.name))
        return {row[0]: row[1] for row in rows}

    async def district_names(self) -> dict[int, str]:
        rows = await self._session.execute(select(District.id, District.name))
        return {row[0]: row[1] for row in rows}

    @staticmethod
    def _scoped_tickets(query: Select[Any], scope: Scope) -> Select[Any]:
        if scope.start is not None:
            query = query.where(Ticket.created_at >= scope.start)
        if scope.end is not None:
            query = query.where(Ticket.created_at < scope.end)
        if scope.district_id is not None:
            query = query.where(Report.district_id == scope.district_id)
        if scope.department_id is not None:
            query = query.where(Ticket.department_id == scope.department_id)
        return query
