"""Queries for the hotline side: outbox messages, tickets and their events (never commits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import savepoint
from storage.models import (
    Department,
    Deputy,
    District,
    LabelledExample,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Report,
    ReportPhoto,
    Ticket,
    TicketEvent,
)


@dataclass(frozen=True)
class TicketContext:
    """What a ticket is made of: the report and who/where it concerns."""

    report: Report
    department: Department | None
    deputy: Deputy | None
    district: District | None
    has_photos: bool


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, message: OutboxMessage) -> None:
        """Queued in the caller's transaction: it goes out only if that commits."""
        self._session.add(message)

    async def has_create(self, report_id: int) -> bool:
        """Whether the report was ever queued for a ticket (sent, or on its way)."""
        found = await self._session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.report_id == report_id,
                OutboxMessage.kind == OutboxKind.CREATE_TICKET,
                OutboxMessage.status != OutboxStatus.CANCELLED,
            )
        )
        return found is not None

    async def queue(self) -> tuple[int, datetime | None]:
        """How many messages wait for delivery, and when the oldest of them was queued."""
        row = (
            await self._session.execute(
                select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.status == OutboxStatus.PENDING
                )
            )
        ).one()
        return int(row[0]), row[1]

    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[tuple[int, int | None]]:
        """Lock up to `limit` due pending messages until `lease_until`; (id, report id) pairs.

        PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers never wait on each other.
        SQLite (one writer at a time): a conditional UPDATE per row decides who got it."""
        due = (
            select(OutboxMessage.id, OutboxMessage.report_id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if self._session.bind.dialect.name == "postgresql":
            rows = (await self._session.execute(due.with_for_update(skip_locked=True))).all()
            if rows:
                await self._session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_([row.id for row in rows]))
                    .values(locked_until=lease_until)
                )
            return [(row.id, row.report_id) for row in rows]
        claimed = []
        for message_id, report_id in (await self._session.execute(due)).all():
            result = await self._session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.status == OutboxStatus.PENDING,
                    or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
                )
                .values(locked_until=lease_until)
            )
            if getattr(result, "rowcount", 0) == 1:
                claimed.append((message_id, report_id))
        return claimed

    async def renew(
        self, message_ids: Sequence[int], held: datetime, until: datetime
    ) -> list[int]:
        """Extend the claim on those of `message_ids` still pending and locked until `held`
        (ours: a worker that claimed them after our lease ran out set its own time); their ids."""
        if not message_ids:
            return []
        rows = await self._session.scalars(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(message_ids),
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.locked_until == held,
            )
            .values(locked_until=until)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        return list(rows)

    async def pending(self, message_ids: Sequence[int]) -> list[OutboxMessage]:
        """Those of `message_ids` still pending, in the order given."""
        rows = await self._session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.PENDING
            )
        )
        found = {message.id: message for message in rows}
        return [found[i] for i in message_ids if i in found]

    async def first_pending(self, report_ids: Sequence[int]) -> dict[int, OutboxMessage]:
        """Per report, its oldest pending message (the one to go next)."""
        if not report_ids:
            return {}
        rows = await self._session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.report_id.in_(report_ids),
                OutboxMessage.status == OutboxStatus.PENDING,
            )
            .order_by(OutboxMessage.id.desc())
        )
        return {message.report_id: message for message in rows if message.report_id is not None}

    async def existing_keys(self, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        rows = await self._session.scalars(
            select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(keys))
        )
        return set(rows)

    async def by_ids(self, message_ids: Sequence[int]) -> list[OutboxMessage]:
        rows = await self._session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(message_ids))
        )
        return list(rows)

    async def ticket_contexts(self, report_ids: Sequence[int]) -> dict[int, TicketContext]:
        """Per report, what its ticket is made of: one query for a whole delivery round."""
        if not report_ids:
            return {}
        rows = await self._session.execute(
            select(
                Report,
                Department,
                Deputy,
                District,
                exists().where(ReportPhoto.report_id == Report.id),
            )
            .outerjoin(Department, Department.id == Report.department_id)
            .outerjoin(Deputy, Deputy.id == Report.deputy_id)
            .outerjoin(District, District.id == Report.district_id)
            .where(Report.id.in_(report_ids))
        )
        return {
            report.id: TicketContext(report, department, deputy, district, has_photos)
            for report, department, deputy, district, has_photos in rows.tuples()
        }

    async def photos(self, report_ids: Sequence[int]) -> dict[int, list[ReportPhoto]]:
        if not report_ids:
            return {}
        rows = await self._session.scalars(
            select(ReportPhoto)
            .where(ReportPhoto.report_id.in_(report_ids))
            .order_by(ReportPhoto.report_id, ReportPhoto.position)
        )
        out: dict[int, list[ReportPhoto]] = {}
        for photo in rows:
            out.setdefault(photo.report_id, []).append(photo)
        return out

    async def tickets(self, report_ids: Sequence[int]) -> dict[int, Ticket]:
        """The tickets of these reports, by report id (reports without one are absent)."""
        if not report_ids:
            return {}
        rows = await self._session.scalars(select(Ticket).where(Ticket.report_id.in_(report_ids)))
        return {ticket.report_id: ticket for ticket in rows}

    async def reports(self, report_ids: Sequence[int]) -> dict[int, Report]:
        if not report_ids:
            return {}
        rows = await self._session.scalars(select(Report).where(Report.id.in_(report_ids)))
        return {report.id: report for report in rows}

    async def dead(self, message_id: int | None = None) -> Sequence[OutboxMessage]:
        query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DEAD)
        if message_id is not None:
            query = query.where(OutboxMessage.id == message_id)
        return list(await self._session.scalars(query.order_by(OutboxMessage.id)))


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_external_id(self, adapter: str, external_id: str) -> Ticket | None:
        return await self._session.scalar(
            select(Ticket).where(Ticket.adapter == adapter, Ticket.external_id == external_id)
        )

    async def add_ticket(self, ticket: Ticket) -> bool:
        """False when the report already has a ticket (the unique report_id decides)."""
        try:
            async with savepoint(self._session, Ticket.__tablename__):
                self._session.add(ticket)
        except IntegrityError:
            return False
        return True

    async def add_event(self, event: TicketEvent) -> bool:
        """False when this external event id was already recorded for the ticket."""
        try:
            async with savepoint(self._session, TicketEvent.__tablename__):
                self._session.add(event)
        except IntegrityError:
            return False
        return True

    async def event(self, event_id: int) -> TicketEvent | None:
        return await self._session.get(TicketEvent, event_id)

    async def latest_event_at(self, ticket_id: int) -> datetime | None:
        return await self._session.scalar(
            select(func.max(TicketEvent.occurred_at)).where(TicketEvent.ticket_id == ticket_id)
        )

    def add_example(self, example: LabelledExample) -> None:
        self._session.add(example)
