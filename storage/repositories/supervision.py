"""Queries of the 督办 desk (never commits): which reports meet a trigger, and the cases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    OutboxKind,
    OutboxMessage,
    Rating,
    RatingScore,
    Report,
    SupervisionCase,
    SupervisionNote,
    SupervisionState,
    Ticket,
    TicketEvent,
)
from storage.repositories.reports import OPEN_STATUSES

RETURNED_EVENT = "退回"  # the ticket event status of a 退单 (bot.services.tickets.updates)


class SupervisionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- triggers: each returns report ids -------------------------------------------

    async def unsatisfied_at_least(self, times: int) -> list[int]:
        """Reports rated 不满意 `times` times or more (the second one comes after a 重办)."""
        rows = await self._session.scalars(
            select(Rating.report_id)
            .where(Rating.score == RatingScore.UNSATISFIED.value)
            .group_by(Rating.report_id)
            .having(func.count() >= times)
        )
        return list(rows)

    async def overdue_before(self, cutoff: datetime) -> list[int]:
        """Open reports whose handling deadline passed before `cutoff` (now minus the margin)."""
        rows = await self._session.scalars(
            select(Ticket.report_id)
            .join(Report, Report.id == Ticket.report_id)
            .where(
                Ticket.due_at.is_not(None),
                Ticket.due_at < cutoff,
                Report.status.in_(OPEN_STATUSES),
            )
        )
        return list(rows)

    async def urged_at_least(self, times: int) -> list[int]:
        """Reports the deputy pressed (催办) `times` times or more: one outbox urge per day."""
        rows = await self._session.scalars(
            select(OutboxMessage.report_id)
            .where(
                OutboxMessage.kind == OutboxKind.URGE.value, OutboxMessage.report_id.is_not(None)
            )
            .group_by(OutboxMessage.report_id)
            .having(func.count() >= times)
        )
        return [r for r in rows if r is not None]

    async def returned_at_least(self, times: int) -> list[int]:
        """Reports whose ticket a department sent back (退单) `times` times or more."""
        rows = await self._session.scalars(
            select(Ticket.report_id)
            .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
            .where(TicketEvent.status == RETURNED_EVENT)
            .group_by(Ticket.report_id)
            .having(func.count() >= times)
        )
        return list(rows)

    async def recurred(self) -> list[int]:
        """Reports whose deputy said the problem came back after 办结 (复发)."""
        rows = await self._session.scalars(
            select(Ticket.report_id).where(Ticket.recurrence_count > 0)
        )
        return list(rows)

    # --- cases -----------------------------------------------------------------------

    async def case_of_report(self, report_id: int) -> SupervisionCase | None:
        case: SupervisionCase | None = await self._session.scalar(
            select(SupervisionCase).where(SupervisionCase.report_id == report_id)
        )
        return case

    async def cases_of_reports(self, report_ids: list[int]) -> dict[int, SupervisionCase]:
        if not report_ids:
            return {}
        rows = await self._session.scalars(
            select(SupervisionCase).where(SupervisionCase.report_id.in_(report_ids))
        )
        return {case.report_id: case for case in rows}

    async def get(self, case_id: int) -> SupervisionCase | None:
        return await self._session.get(SupervisionCase, case_id)

    def add(self, case: SupervisionCase) -> None:
        self._session.add(case)

    def add_note(self, note: SupervisionNote) -> None:
        self._session.add(note)

    async def queue(self, *, include_closed: bool = False) -> list[SupervisionCase]:
        """The desk: open and supervising cases, oldest first (closed ones on request)."""
        query = select(SupervisionCase).order_by(SupervisionCase.created_at, SupervisionCase.id)
        if not include_closed:
            query = query.where(SupervisionCase.state != SupervisionState.CLOSED.value)
        return list(await self._session.scalars(query))

    async def notes(self, case_id: int) -> list[SupervisionNote]:
        rows = await self._session.scalars(
            select(SupervisionNote)
            .where(SupervisionNote.case_id == case_id)
            .order_by(SupervisionNote.created_at, SupervisionNote.id)
        )
        return list(rows)

    async def count_active(self) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(SupervisionCase)
            .where(SupervisionCase.state != SupervisionState.CLOSED.value)
        )
        return int(count or 0)

    async def cases_between(
        self, start: datetime | None, end: datetime | None
    ) -> list[tuple[SupervisionCase, int]]:
        """Cases opened in [start, end) with the deputy of their report (for the statistics)."""
        query = select(SupervisionCase, Report.deputy_id).join(
            Report, Report.id == SupervisionCase.report_id
        )
        if start is not None:
            query = query.where(SupervisionCase.created_at >= start)
        if end is not None:
            query = query.where(SupervisionCase.created_at < end)
        rows = await self._session.execute(query.order_by(SupervisionCase.created_at))
        return [(case, deputy_id) for case, deputy_id in rows.tuples()]
