"""催办: a deputy presses the hotline about a report still being handled, at most once a day."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.core.clock import CHINA_TIME
from bot.core.outbox import DeputyUrge, to_row
from storage.base import utcnow
from storage.models import Report, ReportStatus, Ticket
from storage.uow import UnitOfWork

URGEABLE = frozenset(
    {
        ReportStatus.SUBMITTED,
        ReportStatus.ACCEPTED,
        ReportStatus.DISPATCHED,
        ReportStatus.IN_PROGRESS,
        ReportStatus.REOPENED,  # handled again after 不满意: as far along as 办理中
    }
)


class UrgeOutcome(StrEnum):
    URGED = "urged"
    ALREADY_TODAY = "already_today"
    NOT_URGEABLE = "not_urgeable"
    NOT_FOUND = "not_found"


def can_urge(report: Report, ticket: Ticket | None) -> bool:
    """Only a report the hotline holds a ticket for, and has not answered yet."""
    return ticket is not None and ticket.external_id is not None and report.status in URGEABLE


class UrgeService:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def urge(
        self, deputy_id: int, report_id: int, *, actor: str, now: datetime | None = None
    ) -> UrgeOutcome:
        report = await self._uow.reports.get(report_id)
        if report is None or report.deputy_id != deputy_id:
            return UrgeOutcome.NOT_FOUND
        ticket = await self._uow.reports.ticket(report.id)
        if ticket is None or not can_urge(report, ticket):
            return UrgeOutcome.NOT_URGEABLE
        now = now or utcnow()
        day = now.astimezone(CHINA_TIME).date()  # "a day" is the deputy's calendar day
        last = ticket.last_urged_at
        if last is not None and last.astimezone(CHINA_TIME).date() == day:
            return UrgeOutcome.ALREADY_TODAY
        ticket.last_urged_at = now
        self._uow.outbox.add(to_row(DeputyUrge(report.id, day)))
        self._uow.audit.record(actor, "report.urge", entity="report", entity_id=report.id)
        await self._uow.commit()
        return UrgeOutcome.URGED
