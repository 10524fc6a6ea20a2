from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import begin_write, savepoint
from storage.models import (
    LabelledExample,
    OutboxMessage,
    OutboxStatus,
    Rating,
    Report,
    ReportPhoto,
    ReportStatus,
    RoutingDecision,
    Ticket,
    TicketEvent,
)

OPEN_STATUSES = [
    ReportStatus.SUBMITTED,
    ReportStatus.ACCEPTED,
    ReportStatus.DISPATCHED,
    ReportStatus.IN_PROGRESS,
    ReportStatus.REOPENED,
]


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, report_id: int) -> Report | None:
        return await self._session.get(Report, report_id)

    async def by_number(self, number: str) -> Report | None:
        return await self._session.scalar(select(Report).where(Report.number == number))

    async def by_draft(self, draft_id: str) -> Report | None:
        return await self._session.scalar(select(Report).where(Report.draft_id == draft_id))

    async def add_numbered(self, report: Report, day_prefix: str) -> bool:
        """Gives the report the day's next number (SY20261125-0001); False if the draft exists.

        Two writers may pick the same number: the unique constraint decides, we retry. The
        savepoint keeps the report inside the caller's transaction (see storage.db.savepoint):
        the report, its decision and its outbox message commit together or not at all."""
        # SQLite's write lock first, then the last number: no other writer can take it now.
        await begin_write(self._session, Report.__tablename__)
        for _ in range(20):
            last = await self._session.scalar(
                select(func.max(Report.number)).where(Report.number.like(f"{day_prefix}-%"))
            )
            sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
            report.number = f"{day_prefix}-{sequence:04d}"
            try:
                async with savepoint(self._session, Report.__tablename__):
                    self._session.add(report)
            except IntegrityError:
                if report.draft_id and await self.by_draft(report.draft_id):
                    return False
                continue
            return True
        raise RuntimeError("could not allocate a report number")

    def add_photo(self, photo: ReportPhoto) -> None:
        self._session.add(photo)

    def add_decision(self, decision: RoutingDecision) -> None:
        self._session.add(decision)

    def add_rating(self, rating: Rating) -> None:
        self._session.add(rating)

    async def page_for_deputy(
        self, deputy_id: int, page: int, size: int
    ) -> tuple[list[Report], int]:
        total = await self._session.scalar(
            select(func.count()).select_from(Report).where(Report.deputy_id == deputy_id)
        )
        rows = await self._session.scalars(
            select(Report)
            .where(Report.deputy_id == deputy_id)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .offset(page * size)
            .limit(size)
        )
        return list(rows), total or 0

    async def photos(self, report_id: int) -> list[ReportPhoto]:
        rows = await self._session.scalars(
            select(ReportPhoto)
            .where(ReportPhoto.report_id == report_id)
            .order_by(ReportPhoto.position)
        )
        return list(rows)

    async def decisions(self, report_id: int) -> list[RoutingDecision]:
        rows = await self._session.scalars(
            select(RoutingDecision)
            .where(RoutingDecision.report_id == report_id)
            .order_by(RoutingDecision.id)
        )
        return list(rows)

    async def ticket(self, report_id: int) -> Ticket | None:
        return await self._session.scalar(select(Ticket).where(Ticket.report_id == report_id))

    async def ticket_events(self, ticket_id: int) -> list[TicketEvent]:
        rows = await self._session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(TicketEvent.occurred_at, TicketEvent.id)
        )
        return list(rows)

    async def ratings(self, report_id: int) -> list[Rating]:
        rows = await self._session.scalars(
            select(Rating).where(Rating.report_id == report_id).order_by(Rating.id)
        )
        return list(rows)

    async def recent_open(
        self, district_id: int, department_id: int, since: datetime, limit: int = 50
    ) -> list[Report]:
        """Reports still being handled for one department in one district (附议 candidates)."""
        rows = await self._session.scalars(
            select(Report)
            .where(
                Report.district_id == district_id,
                Report.department_id == department_id,
                Report.created_at >= since,
                Report.status.in_(OPEN_STATUSES),
                Report.joined_report_id.is_(None),
            )
            .order_by(Report.created_at.desc())
            .limit(limit)
        )
        return list(rows)

    async def labelled_examples(self) -> list[LabelledExample]:
        rows = await self._session.scalars(select(LabelledExample).order_by(LabelledExample.id))
        return list(rows)

    async def pending_outbox(self, report_id: int) -> list[OutboxMessage]:
        rows = await self._session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.report_id == report_id,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
        return list(rows)
