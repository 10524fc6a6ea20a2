"""What a hotline status event means for a report, and what the deputy is told about it.

Transport-free: the callback route (and later the status poller) parse their wire format into a
`HotlineEvent` and call `TicketUpdateService.process`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.services.notices import (
    DeputyNotice,
    ExtensionChanged,
    Notifier,
    RatingPrompt,
    StatusChanged,
)
from bot.services.tickets.deadlines import (
    ENDS_EXTENSION,
    EXTENSION_ACTIONS,
    apply_extension,
    restart_handling_clock,
    resume_clock,
)
from storage.base import utcnow
from storage.models import LabelledExample, Report, ReportStatus, Ticket, TicketEvent
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

RETURNED = "退回"
REROUTED = "改派"
WITHDRAWN_AT_HOTLINE = "已撤回"
# The forward order of a ticket's life; an event never moves a report back along it.
STATUS_RANK: dict[str, int] = {
    ReportStatus.SUBMITTED: 1,
    ReportStatus.ACCEPTED: 2,
    ReportStatus.DISPATCHED: 3,
    ReportStatus.IN_PROGRESS: 4,
    ReportStatus.REOPENED: 4,  # handled again: as far along as 办理中
    ReportStatus.ANSWERED: 5,
    ReportStatus.CLOSED: 6,
}
# Same-status events that still carry news for the deputy (a progress note, a new deadline).
NOTE_ACTIONS = frozenset({"progress", "extend"})


@dataclass(frozen=True)
class HotlineEvent:
    event_id: str
    external_id: str
    status: str
    occurred_at: datetime
    report_number: str | None = None
    action: str | None = None
    note: str | None = None
    answer: str | None = None
    department_code: str | None = None
    operator: str | None = None
    expected_at: datetime | None = None  # the deadline a 延期 request asks for, or was granted


@dataclass(frozen=True)
class Notice:
    telegram_user_id: int
    notice: DeputyNotice


@dataclass(frozen=True)
class UpdateOutcome:
    known: bool  # False: no ticket or report matches; the sender should try again later
    recorded: bool = False  # False for a duplicate event id
    report_status: str | None = None
    notice: Notice | None = None
    event_row_id: int | None = None


class TicketUpdateService:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, notifier: Notifier, adapter: str = "http"
    ) -> None:
        self._uow_factory = uow_factory
        self._notifier = notifier
        self._adapter = adapter

    async def process(self, event: HotlineEvent) -> UpdateOutcome:
        """Apply the event, then tell the deputy (a failed notice does not undo the update)."""
        outcome = await self.apply(event)
        if outcome.notice is not None and outcome.event_row_id is not None:
            try:
                told = outcome.notice
                await self._notifier.notify(told.telegram_user_id, told.notice)
            except Exception:
                log.exception("notifying about event %s failed", event.event_id)
            else:
                await self._mark_notified(outcome.event_row_id)
        return outcome

    async def apply(self, event: HotlineEvent) -> UpdateOutcome:
        async with self._uow_factory() as uow:
            found = await self._find(uow, event)
            if found is None:
                return UpdateOutcome(known=False)
            ticket, report = found
            latest = await uow.tickets.latest_event_at(ticket.id)
            row = TicketEvent(
                ticket_id=ticket.id,
                external_event_id=event.event_id,
                status=event.status,
                note=event.answer or event.note or "",
                actor=event.operator or "",
                department_code=event.department_code,
                occurred_at=event.occurred_at,
            )
            if not await uow.tickets.add_event(row):
                return UpdateOutcome(known=True, report_status=report.status)
            # An event older than one already applied only joins the timeline.
            stale = latest is not None and event.occurred_at < latest
            change = None if stale else await self._transition(uow, ticket, report, event)
            notice = await self._notice(uow, ticket, report, event, change) if change else None
            await uow.commit()
            return UpdateOutcome(
                known=True,
                recorded=True,
                report_status=report.status,
                notice=notice,
                event_row_id=row.id,
            )

    async def _find(self, uow: UnitOfWork, event: HotlineEvent) -> tuple[Ticket, Report] | None:
        ticket = await uow.tickets.by_external_id(self._adapter, event.external_id)
        if ticket is not None:
            report = await uow.reports.get(ticket.report_id)
            return (ticket, report) if report is not None else None
        if not event.report_number:
            return None
        report = await uow.reports.by_number(event.report_number)
        if report is None:
            return None
        ticket = await uow.reports.ticket(report.id)
        if ticket is None:
            if not await uow.outbox.has_create(report.id):
                return None  # never sent (still in triage, say): no hotline can hold it
            # The callback beat the outbox worker's commit: record the ticket now.
            ticket = Ticket(
                report_id=report.id,
                adapter=self._adapter,
                external_id=event.external_id,
                status=ReportStatus.SUBMITTED,
                department_id=report.department_id,
            )
            if not await uow.tickets.add_ticket(ticket):
                ticket = await uow.reports.ticket(report.id)
        return (ticket, report) if ticket is not None else None

    async def _transition(
        self, uow: UnitOfWork, ticket: Ticket, report: Report, event: HotlineEvent
    ) -> str | None:
        """Update ticket and report; the kind of change to tell the deputy about, or None."""
        now = utcnow()
        if event.action in EXTENSION_ACTIONS:  # 延期: the clock pauses, then moves
            moved = apply_extension(ticket, event.action, event.occurred_at, event.expected_at)
            return event.action if moved and report.status in STATUS_RANK else None
        if event.action in ENDS_EXTENSION:
            resume_clock(ticket, event.occurred_at)  # a pending 延期 ends without a decision
        if event.action == "return" or event.status == RETURNED:
            ticket.status = RETURNED
            report.status = ReportStatus.TRIAGE  # back to the admins' triage queue
            return "return"
        if event.action == "reroute" or event.status == REROUTED:
            await self._reroute(uow, ticket, report, event)
            return "reroute"
        if event.action == "withdraw" or event.status == WITHDRAWN_AT_HOTLINE:
            ticket.status = WITHDRAWN_AT_HOTLINE  # the report was withdrawn here already
            return None
        if event.action == "reopen":
            ticket.status = ReportStatus.IN_PROGRESS
            ticket.closed_at = None
            report.status = ReportStatus.REOPENED
            restart_handling_clock(ticket)  # a new deadline from now
            return "reopen"
        new_rank = STATUS_RANK.get(event.status)
        current_rank = STATUS_RANK.get(report.status)
        if new_rank is None or current_rank is None:
            return None  # unknown status, or the report left the hotline (退回, 撤回)
        if new_rank > current_rank:
            if event.status == ReportStatus.DISPATCHED and event.department_code:
                department = await uow.directory.department(event.department_code)
                if department is not None:
                    ticket.department_id = report.department_id = department.id
            ticket.status = report.status = event.status
            if event.status == ReportStatus.ACCEPTED:
                ticket.accepted_at = ticket.accepted_at or now
            elif event.status == ReportStatus.ANSWERED:
                ticket.answered_at = now
            elif event.status == ReportStatus.CLOSED:
                ticket.closed_at = now
            return event.status
        if new_rank == current_rank and event.action in NOTE_ACTIONS:
            return event.action
        return None

    async def _reroute(
        self, uow: UnitOfWork, ticket: Ticket, report: Report, event: HotlineEvent
    ) -> None:
        ticket.status = REROUTED
        # The new department must accept afresh: its 已受理 then moves the report forward again.
        report.status = ReportStatus.SUBMITTED
        department = (
            await uow.directory.department(event.department_code)
            if event.department_code
            else None
        )
        if department is None:
            log.warning("reroute of %s to unknown department %s", ticket.id, event.department_code)
            return
        if report.department_id == department.id:
            return  # our own 改派 (an admin's correction), already recorded and learned from
        ticket.department_id = report.department_id = department.id
        # What the operator's correction teaches the classifier.
        uow.tickets.add_example(
            LabelledExample(
                report_id=report.id,
                text=report.text,
                department_code=department.code,
                source="operator",
                created_by=event.operator or "",
            )
        )

    async def _notice(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        report: Report,
        event: HotlineEvent,
        change: str,
    ) -> Notice | None:
        deputy = await uow.deputies.get(report.deputy_id)
        if deputy is None or deputy.telegram_user_id is None:
            return None
        summary = report.summary or report.text[:40]
        if change in EXTENSION_ACTIONS:
            notice: DeputyNotice = ExtensionChanged(
                change, report.number, summary, note=event.note, due_at=ticket.due_at
            )
            return Notice(deputy.telegram_user_id, notice)
        department = await uow.directory.department_by_id(report.department_id)
        rating = None
        # A hotline that knows only open/closed (Open311) closes without a separate answer:
        # its closing is the answer to rate then.
        unanswered_close = change == ReportStatus.CLOSED and ticket.answered_at is None
        if change == ReportStatus.ANSWERED or unanswered_close:
            # Each answer is rated once; a reopen we asked for starts the next round.
            rating = RatingPrompt(report.id, ticket.reopen_count + 1)
        notice = StatusChanged(
            change,
            report.number,
            summary,
            department=department.name if department else None,
            note=event.note,
            answer=event.answer,
            rating=rating,
        )
        return Notice(deputy.telegram_user_id, notice)

    async def _mark_notified(self, event_row_id: int) -> None:
        async with self._uow_factory() as uow:
            row = await uow.tickets.event(event_row_id)
            if row is not None:
                row.notified_at = utcnow()
                await uow.commit()
