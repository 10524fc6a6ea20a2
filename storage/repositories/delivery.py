"""What the delivery watch reads and claims: creates waiting for an unreachable hotline, those
that arrived after their deputy was told so, new dead letters, and the outage as a whole
(never commits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import Deputy, OutboxKind, OutboxMessage, OutboxStatus, Report

Column = InstrumentedAttribute[datetime | None]


@dataclass(frozen=True)
class Waiting:
    """A message a notice is about, with whom to tell."""

    message_id: int
    kind: str
    report_id: int | None
    number: str | None
    summary: str | None
    telegram_user_id: int | None
    last_error: str | None


@dataclass(frozen=True)
class Outage:
    failing: int  # pending messages whose last attempt failed
    since: datetime  # the oldest of them was queued then
    last_error: str


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def delayed_creates(self, queued_before: datetime, limit: int) -> list[Waiting]:
        """Creates still pending that failed at least once and were queued before then, whose
        deputy was not told yet."""
        return await self._waiting(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind == OutboxKind.CREATE_TICKET,
            OutboxMessage.attempts >= 1,
            OutboxMessage.created_at <= queued_before,
            OutboxMessage.delay_notified_at.is_(None),
            limit=limit,
        )

    async def arrived_after_delay(self, limit: int) -> list[Waiting]:
        return await self._waiting(
            OutboxMessage.status == OutboxStatus.DELIVERED,
            OutboxMessage.delay_notified_at.is_not(None),
            OutboxMessage.arrival_notified_at.is_(None),
            limit=limit,
        )

    async def unannounced_dead(self, limit: int) -> list[Waiting]:
        return await self._waiting(
            OutboxMessage.status == OutboxStatus.DEAD,
            OutboxMessage.dead_notified_at.is_(None),
            limit=limit,
        )

    async def claim(self, message_id: int, column: Column, now: datetime) -> bool:
        """Marks a notice as sent; False if another pass (or process) sent it first."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, column.is_(None))
            .values({column.key: now})
            .returning(OutboxMessage.id)
        )
        return result.scalar_one_or_none() is not None

    async def outage(self, queued_before: datetime) -> Outage | None:
        """Messages failing for longer than a blip (queued before then): the hotline is down."""
        failing = (
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts >= 1,
            OutboxMessage.created_at <= queued_before,
        )
        count, since = (
            await self._session.execute(
                select(func.count(), func.min(OutboxMessage.created_at)).where(*failing)
            )
        ).one()
        if not count:
            return None
        last_error = await self._session.scalar(
            select(OutboxMessage.last_error)
            .where(*failing)
            .order_by(OutboxMessage.next_attempt_at.desc())
            .limit(1)
        )
        return Outage(int(count), since, last_error or "")

    async def _waiting(self, *where: object, limit: int) -> list[Waiting]:
        rows = await self._session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.kind,
                OutboxMessage.report_id,
                Report.number,
                Report.summary,
                Deputy.telegram_user_id,
                OutboxMessage.last_error,
            )
            .outerjoin(Report, Report.id == OutboxMessage.report_id)
            .outerjoin(Deputy, Deputy.id == Report.deputy_id)
            .where(*where)  # type: ignore[arg-type]
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return [Waiting(*row) for row in rows.tuples()]
