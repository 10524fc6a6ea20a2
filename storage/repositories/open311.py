"""Queries for the Open311 status poller (never commits)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ReportStatus, Ticket, TicketEvent

# The hotline is done with these; a reopen moves the ticket back to 办理中 and polling resumes.
FINISHED = (ReportStatus.CLOSED, ReportStatus.RETURNED, ReportStatus.WITHDRAWN)


class Open311PollRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def due(self, adapter: str, now: datetime, limit: int) -> list[Ticket]:
        """Open tickets of `adapter` whose next poll is due (never polled = due)."""
        rows = await self._session.scalars(
            select(Ticket)
            .where(
                Ticket.adapter == adapter,
                Ticket.external_id.is_not(None),
                Ticket.status.not_in([str(s) for s in FINISHED]),
                or_(Ticket.next_poll_at.is_(None), Ticket.next_poll_at <= now),
            )
            .order_by(Ticket.next_poll_at.is_not(None), Ticket.next_poll_at, Ticket.id)
            .limit(limit)
        )
        return list(rows)

    async def seen_event_ids(self, ticket_ids: Iterable[int]) -> set[tuple[int, str]]:
        """(ticket_id, external_event_id) already recorded for these tickets."""
        ids = list(ticket_ids)
        if not ids:
            return set()
        rows = await self._session.execute(
            select(TicketEvent.ticket_id, TicketEvent.external_event_id).where(
                TicketEvent.ticket_id.in_(ids), TicketEvent.external_event_id.is_not(None)
            )
        )
        return {(ticket_id, str(event_id)) for ticket_id, event_id in rows.tuples()}

    async def schedule(self, ticket_id: int, when: datetime) -> None:
        await self._session.execute(
            update(Ticket).where(Ticket.id == ticket_id).values(next_poll_at=when)
        )
