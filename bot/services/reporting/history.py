"""A deputy's own reports: the paged list, one report's timeline, and withdrawing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.outbox import Withdraw, to_row
from bot.services.feedback.urging import can_urge
from storage.models import OutboxStatus, Report, ReportStatus
from storage.uow import UnitOfWork

PAGE_SIZE = 5
# Until the hotline has accepted it, a report may still be taken back.
WITHDRAWABLE = {ReportStatus.SUBMITTED, ReportStatus.TRIAGE}
# The department owes no answer (yet again: a reopened ticket has a new deadline to show).
NO_DEADLINE = frozenset(
    {ReportStatus.ANSWERED, ReportStatus.CLOSED, ReportStatus.WITHDRAWN, ReportStatus.RETURNED}
)


@dataclass(frozen=True)
class ReportLine:
    id: int
    number: str
    summary: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class ReportPage:
    items: list[ReportLine]
    page: int
    pages: int


class Step(StrEnum):
    """What a line of the timeline is about (bot/texts/reports.py words it)."""

    FILED = "filed"  # the deputy filed the report
    ROUTED = "routed"  # a routing decision: `department`, or None for the triage queue
    JOINED = "joined"  # seconded (附议) report `joined`
    HOTLINE = "hotline"  # a hotline event: `status` as the hotline sent it, and its `note`
    RATED = "rated"  # the deputy's rating: `note` is the score
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    step: Step
    status: str = ""
    note: str = ""
    department: str | None = None
    joined: str | None = None  # the number of the report seconded


@dataclass(frozen=True)
class ReportDetail:
    id: int
    number: str
    summary: str
    text: str
    status: str
    appeal_type: str
    urgency: str
    department_name: str | None
    district_name: str | None
    ticket_number: str | None
    due_at: datetime | None
    photo_count: int
    timeline: list[TimelineEntry]
    can_withdraw: bool
    can_urge: bool = False  # 催办 is offered (pressing it twice a day is answered)


class WithdrawOutcome(StrEnum):
    WITHDRAWN = "withdrawn"
    TOO_LATE = "too_late"
    NOT_FOUND = "not_found"


class ReportHistoryService:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def page(self, deputy_id: int, page: int) -> ReportPage:
        page = max(page, 0)
        reports, total = await self._uow.reports.page_for_deputy(deputy_id, page, PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        items = [ReportLine(r.id, r.number, r.summary, r.status, r.created_at) for r in reports]
        return ReportPage(items, min(page, pages - 1), pages)

    async def detail(self, deputy_id: int, report_id: int) -> ReportDetail | None:
        """None when the report does not exist or belongs to someone else."""
        report = await self._own(deputy_id, report_id)
        if report is None:
            return None
        department = await self._uow.directory.department_by_id(report.department_id)
        district = await self._uow.directory.district(report.district_id)
        # A seconded report (附议) follows the ticket of the report it joined.
        ticket = await self._uow.reports.ticket(report.joined_report_id or report.id)
        return ReportDetail(
            id=report.id,
            number=report.number,
            summary=report.summary,
            text=report.text,
            status=report.status,
            appeal_type=report.appeal_type,
            urgency=report.urgency,
            department_name=department.name if department else None,
            district_name=district.name if district else None,
            ticket_number=ticket.external_id if ticket else None,
            due_at=ticket.due_at if ticket and ticket.status not in NO_DEADLINE else None,
            photo_count=len(await self._uow.reports.photos(report.id)),
            timeline=await self._timeline(report),
            can_withdraw=await self._can_withdraw(report),
            can_urge=can_urge(report, await self._uow.reports.ticket(report.id)),
        )

    async def photo_file_ids(self, deputy_id: int, report_id: int) -> list[str] | None:
        """The Telegram file ids of the report's photos (None: not the deputy's report)."""
        report = await self._own(deputy_id, report_id)
        if report is None:
            return None
        return [p.telegram_file_id for p in await self._uow.reports.photos(report.id)]

    async def withdraw(
        self, deputy_id: int, report_id: int, actor: str, reason: str = ""
    ) -> WithdrawOutcome:
        """`reason`: the deputy's words (optional), passed on to the hotline."""
        report = await self._own(deputy_id, report_id)
        if report is None:
            return WithdrawOutcome.NOT_FOUND
        if not await self._can_withdraw(report):
            return WithdrawOutcome.TOO_LATE
        before = report.status
        report.status = ReportStatus.WITHDRAWN
        for message in await self._uow.reports.pending_outbox(report.id):
            message.status = OutboxStatus.CANCELLED  # an undelivered ticket or 催办 is moot now
        ticket = await self._uow.reports.ticket(report.id)
        if ticket is not None and ticket.external_id:
            # The hotline holds a ticket (a 催办 still queued must not hide it): ask it to cancel.
            self._uow.outbox.add(to_row(Withdraw(report.id, reason)))
        self._uow.audit.record(
            actor,
            "report.withdraw",
            entity="report",
            entity_id=report.id,
            before={"status": before},
            after={"status": report.status, **({"reason": reason} if reason else {})},
        )
        await self._uow.commit()
        return WithdrawOutcome.WITHDRAWN

    async def _own(self, deputy_id: int, report_id: int) -> Report | None:
        report = await self._uow.reports.get(report_id)
        return report if report is not None and report.deputy_id == deputy_id else None

    async def _can_withdraw(self, report: Report) -> bool:
        if report.status not in WITHDRAWABLE:
            return False
        ticket = await self._uow.reports.ticket(report.id)
        return ticket is None or ticket.accepted_at is None

    async def _timeline(self, report: Report) -> list[TimelineEntry]:
        entries = [TimelineEntry(report.created_at, Step.FILED)]
        for decision in await self._uow.reports.decisions(report.id):
            department = await self._uow.directory.department_by_id(decision.department_id)
            name = department.name if department else None
            entries.append(TimelineEntry(decision.created_at, Step.ROUTED, department=name))
        if report.joined_report_id:
            joined = await self._uow.reports.get(report.joined_report_id)
            number = joined.number if joined else None
            entries.append(TimelineEntry(report.created_at, Step.JOINED, joined=number))
        ticket = await self._uow.reports.ticket(report.joined_report_id or report.id)
        if ticket is not None:
            for event in await self._uow.reports.ticket_events(ticket.id):
                entries.append(
                    TimelineEntry(event.occurred_at, Step.HOTLINE, event.status, event.note)
                )
        for rating in await self._uow.reports.ratings(report.id):
            entries.append(TimelineEntry(rating.created_at, Step.RATED, note=rating.score))
        if report.status == ReportStatus.WITHDRAWN:
            entries.append(TimelineEntry(report.updated_at, Step.WITHDRAWN))
        return sorted(entries, key=lambda entry: entry.at)
