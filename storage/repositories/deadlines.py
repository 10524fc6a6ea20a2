"""Queries of the deadline watch and the 复发 check (never commits).

Every alert is claimed with a conditional UPDATE: of several processes watching the same
database, exactly one sees its row change, and only that one sends the alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import Deputy, Report, ReportStatus, Ticket
from storage.repositories.reports import OPEN_STATUSES


@dataclass(frozen=True)
class WatchedTicket:
    """What the deadline watch needs of an open ticket, its report and its deputy."""

    ticket_id: int
    report_id: int
    number: str
    summary: str
    urgency: str
    accepted_at: datetime | None
    accept_due_at: datetime | None
    due_at: datetime | None
    accept_warned_for: datetime | None
    due_warned_for: datetime | None
    accept_overdue_for: datetime | None
    due_overdue_for: datetime | None
    telegram_user_id: int | None


@dataclass(frozen=True)
class ClosedTicket:
    """A ticket closed long enough ago to ask its deputy whether the problem came back."""

    ticket_id: int
    report_id: int
    number: str
    summary: str
    round: int
    telegram_user_id: int


def _not_sent_for(
    claim: InstrumentedAttribute[datetime | None], deadline: object
) -> ColumnElement[bool]:
    return or_(claim.is_(None), claim != deadline)


# What the deputy and the operators read: the summary, or the text's start when it has none.
_SUMMARY = func.coalesce(func.nullif(Report.summary, ""), func.substr(Report.text, 1, 40))

# A ticket the watch keeps time for: at the hotline, its report still open, no 延期 pending.
_RUNNING_CLOCK = (
    Ticket.external_id.is_not(None),
    Ticket.extension_pending.is_(False),
    Report.status.in_(OPEN_STATUSES),
)


class DeadlineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def unarmed(self, limit: int) -> list[tuple[int, str, str]]:
        """Open tickets without a handling deadline (reopened, or recorded by a callback first):
        (ticket id, appeal type, urgency)."""
        rows = await self._session.execute(
            select(Ticket.id, Report.appeal_type, Report.urgency)
            .join(Report, Report.id == Ticket.report_id)
            .where(Ticket.due_at.is_(None), *_RUNNING_CLOCK)
            .order_by(Ticket.id)
            .limit(limit)
        )
        return [(ticket_id, appeal, urgency) for ticket_id, appeal, urgency in rows.tuples()]

    async def arm(self, ticket_id: int, due_at: datetime) -> bool:
        return await self._claimed(
            {"due_at": due_at}, Ticket.id == ticket_id, Ticket.due_at.is_(None)
        )

    async def watched(self, after_id: int, limit: int) -> list[WatchedTicket]:
        """Open, unpaused tickets with a deadline that has not had its 催办 yet, by id."""
        accept_open = (
            Ticket.accept_due_at.is_not(None)
            & Ticket.accepted_at.is_(None)
            & _not_sent_for(Ticket.accept_overdue_for, Ticket.accept_due_at)
        )
        due_open = Ticket.due_at.is_not(None) & _not_sent_for(
            Ticket.due_overdue_for, Ticket.due_at
        )
        rows = await self._session.execute(
            select(
                Ticket.id,
                Ticket.report_id,
                Report.number,
                _SUMMARY,
                Report.urgency,
                Ticket.accepted_at,
                Ticket.accept_due_at,
                Ticket.due_at,
                Ticket.accept_warned_for,
                Ticket.due_warned_for,
                Ticket.accept_overdue_for,
                Ticket.due_overdue_for,
                Deputy.telegram_user_id,
            )
            .join(Report, Report.id == Ticket.report_id)
            .join(Deputy, Deputy.id == Report.deputy_id)
            .where(Ticket.id > after_id, *_RUNNING_CLOCK, or_(accept_open, due_open))
            .order_by(Ticket.id)
            .limit(limit)
        )
        return [WatchedTicket(*row) for row in rows.tuples()]

    async def claim(
        self,
        ticket_id: int,
        deadline_column: InstrumentedAttribute[datetime | None],
        claim_column: InstrumentedAttribute[datetime | None],
        deadline: datetime,
        *,
        escalate: bool,
    ) -> bool:
        """Mark the alert for `deadline` as sent; False when another process did, the deadline
        moved, or a 延期 request paused the clock meanwhile."""
        values: dict[str, object] = {claim_column.key: deadline}
        if escalate:
            values["escalated"] = True
        return await self._claimed(
            values,
            Ticket.id == ticket_id,
            Ticket.extension_pending.is_(False),
            deadline_column == deadline,
            _not_sent_for(claim_column, deadline),
        )

    async def closed_unasked(
        self, closed_before: datetime, closed_after: datetime, limit: int
    ) -> list[ClosedTicket]:
        rows = await self._session.execute(
            select(
                Ticket.id,
                Ticket.report_id,
                Report.number,
                _SUMMARY,
                Ticket.reopen_count + 1,
                Deputy.telegram_user_id,
            )
            .join(Report, Report.id == Ticket.report_id)
            .join(Deputy, Deputy.id == Report.deputy_id)
            .where(
                Report.status == ReportStatus.CLOSED,
                Ticket.closed_at <= closed_before,
                Ticket.closed_at > closed_after,
                Ticket.recurrence_asked_at.is_(None),
                Deputy.telegram_user_id.is_not(None),
            )
            .order_by(Ticket.closed_at)
            .limit(limit)
        )
        return [ClosedTicket(*row) for row in rows.tuples()]

    async def claim_recurrence_question(self, ticket_id: int, now: datetime) -> bool:
        return await self._claimed(
            {"recurrence_asked_at": now},
            Ticket.id == ticket_id,
            Ticket.recurrence_asked_at.is_(None),
        )

    async def _claimed(self, values: dict[str, object], *where: ColumnElement[bool]) -> bool:
        """The conditional UPDATE of one ticket: True only for the process that changed it."""
        result = await self._session.execute(
            update(Ticket)
            .where(*where)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1
