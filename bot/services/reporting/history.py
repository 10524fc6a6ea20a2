"""A deputy's own reports: the paged list, one report's timeline, and withdrawing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.services.feedback.urging import can_urge
from bot.texts.hotline import WITHDRAW_REASON
from storage.models import OutboxKind, OutboxMessage, OutboxStatus, Report, ReportStatus
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


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    status: str
    note: str


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

    async def withdraw(self, deputy_id: int, report_id: int, actor: str) -> WithdrawOutcome:
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
            self._uow.reports.add(withdraw_message(report.id))
        self._uow.audit.record(
            actor,
            "report.withdraw",
            entity="report",
            entity_id=report.id,
            before={"status": before},
            after={"status": report.status},
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
        entries = [TimelineEntry(report.created_at, ReportStatus.SUBMITTED.value, "代表提交反映")]
        for decision in await self._uow.reports.decisions(report.id):
            department = await self._uow.directory.department_by_id(decision.department_id)
            note = f"分派至 {department.name}" if department else "待工作人员人工分派"
            entries.append(TimelineEntry(decision.created_at, "分类", note))
        if report.joined_report_id:
            joined = await self._uow.reports.get(report.joined_report_id)
            note = f"附议 {joined.number}" if joined else "附议"
            entries.append(TimelineEntry(report.created_at, ReportStatus.JOINED.value, note))
        ticket = await self._uow.reports.ticket(report.joined_report_id or report.id)
        if ticket is not None:
            for event in await self._uow.reports.ticket_events(ticket.id):
                entries.append(TimelineEntry(event.occurred_at, event.status, event.note))
        for rating in await self._uow.reports.ratings(report.id):
            entries.append(TimelineEntry(rating.created_at, "评价", rating.score))
        if report.status == ReportStatus.WITHDRAWN:
            entries.append(TimelineEntry(report.updated_at, ReportStatus.WITHDRAWN.value, ""))
        return sorted(entries, key=lambda entry: entry.at)


def withdraw_key(report_id: int) -> str:
    return f"withdraw-{report_id}"  # one 撤回 per report


def withdraw_message(report_id: int) -> OutboxMessage:
    """Asks the hotline to cancel the ticket of a report its deputy withdrew."""
    return OutboxMessage(
        kind=OutboxKind.WITHDRAW,
        idempotency_key=withdraw_key(report_id),
        report_id=report_id,
        payload={"reason": WITHDRAW_REASON},
    )
