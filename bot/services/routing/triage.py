"""The triage queue (待人工分派): reports the classifier was unsure of, and tickets the hotline
returned (退单). An admin picks the department; the report then goes out through the outbox
in the same transaction, and the deputy is told.

- never delivered: the same `create_ticket` message the report flow queues;
- returned by the hotline (it holds a ticket): a `reroute` of that ticket."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.outbox import CreateTicket, Reroute, RerouteCause, to_row
from bot.core.refusal import Refusal
from bot.services.console.common import Option, Page, directory_maps, fetch_page
from bot.services.notices import AssignedByStaff, Notifier
from bot.services.routing.review import labelled_example, mark_reviewed
from bot.services.tickets.dead_letters import restart
from bot.services.tickets.updates import RETURNED
from storage.base import utcnow
from storage.models import (
    Department,
    Report,
    ReportStatus,
    RoutingDecision,
    RoutingMethod,
    Ticket,
)
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
MAX_NOTE = 500


class TriageProblem(StrEnum):
    NOTE_TOO_LONG = "note_too_long"  # details: length
    REPORT_NOT_FOUND = "report_not_found"
    NOT_IN_TRIAGE = "not_in_triage"  # details: status
    DEPARTMENT_UNKNOWN = "department_unknown"
    ASSIGNED_MEANWHILE = "assigned_meanwhile"


class TriageError(Refusal):
    """The assignment was refused (a TriageProblem); nothing was changed."""


@dataclass(frozen=True)
class TriageRow:
    report_id: int
    number: str
    summary: str
    text: str
    district: str | None
    deputy: str
    created_at: datetime
    returned: bool  # True: the hotline sent it back; False: the classifier was unsure
    return_note: str | None
    confidence: float | None
    suggested: Option | None
    candidates: list[Option]


@dataclass(frozen=True)
class Assignment:
    number: str
    department: str
    rerouted: bool  # True: the hotline's ticket is moved; False: a new ticket is asked for
    told: bool  # the deputy was notified


class TriageService:
    def __init__(
        self,
        uow: UnitOfWork,
        notifier: Notifier | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._notifier = notifier
        self._clock = clock

    async def queue(self, page: int, size: int = 50) -> Page[TriageRow]:
        reports, page, total = await fetch_page(self._uow.review.triage_page, page, size)
        ids = [r.id for r in reports]
        tickets = await self._uow.outbox.tickets(ids)
        decisions = await self._uow.review.decisions_of(ids)
        departments, districts = await directory_maps(self._uow)
        by_code = {d.code: d for d in departments.values()}
        rows = []
        for report in reports:
            deputy = await self._uow.deputies.get(report.deputy_id)
            ticket = tickets.get(report.id)
            note = await self._return_note(ticket)
            decision = decisions.get(report.id)
            rows.append(
                TriageRow(
                    report_id=report.id,
                    number=report.number,
                    summary=report.summary or report.text[:40],
                    text=report.text,
                    district=districts.get(report.district_id or 0),
                    deputy=deputy.name if deputy else "",
                    created_at=report.created_at,
                    returned=ticket is not None,
                    return_note=note,
                    confidence=decision.confidence if decision else None,
                    suggested=_option(departments.get(decision.suggested_department_id or 0))
                    if decision
                    else None,
                    candidates=_candidate_options(decision, by_code),
                )
            )
        return Page(rows, page, size, total)

    async def _return_note(self, ticket: Ticket | None) -> str | None:
        if ticket is None:
            return None
        event = await self._uow.review.last_event(ticket.id, RETURNED)
        return event.note if event else None

    async def assign(
        self, report_id: int, department_code: str, *, actor: str, note: str = ""
    ) -> Assignment:
        if len(note) > MAX_NOTE:
            raise TriageError(TriageProblem.NOTE_TOO_LONG, length=MAX_NOTE)
        report = await self._uow.reports.get(report_id)
        if report is None:
            raise TriageError(TriageProblem.REPORT_NOT_FOUND)
        if report.status != ReportStatus.TRIAGE:
            raise TriageError(TriageProblem.NOT_IN_TRIAGE, status=report.status)
        department = await self._uow.directory.department(department_code)
        if department is None or not department.active:
            raise TriageError(TriageProblem.DEPARTMENT_UNKNOWN)
        if not await self._uow.review.claim_triage_report(report.id):
            raise TriageError(
                TriageProblem.ASSIGNED_MEANWHILE
            )  # another operator, at the same time
        old = await self._uow.directory.department_by_id(report.department_id)
        ticket = await self._uow.reports.ticket(report.id)
        rerouted = ticket is not None and bool(ticket.external_id)
        if rerouted:
            self._uow.outbox.add(
                to_row(Reroute(report.id, department.code, RerouteCause.TRIAGE, note))
            )
        else:
            await self._queue_create(report.id)
        report.department_id = department.id
        report.status = ReportStatus.SUBMITTED
        await self._decide(report, department, actor)
        self._uow.audit.record(
            actor,
            "triage.assign",
            entity="report",
            entity_id=report.id,
            before={"status": ReportStatus.TRIAGE.value, "department": old.code if old else None},
            after={"department": department.code, "rerouted": rerouted, "note": note},
        )
        await self._uow.commit()
        told = await self._tell_deputy(report, department)
        return Assignment(report.number, department.name, rerouted, told)

    async def _queue_create(self, report_id: int) -> None:
        """The report flow's create message; one that failed before is simply started afresh."""
        fresh = CreateTicket(report_id)
        existing = await self._uow.review.outbox_by_key(fresh.key)
        if existing is None:
            self._uow.outbox.add(to_row(fresh))
            return
        restart(existing, self._clock())

    async def _decide(self, report: Report, department: Department, actor: str) -> None:
        """The routing decision now names the admin's choice; the choice teaches the model."""
        decision: RoutingDecision | None = await self._uow.review.latest_decision(report.id)
        if decision is not None:
            agreed = decision.suggested_department_id == department.id
            decision.department_id = department.id
            decision.method = RoutingMethod.MANUAL
            mark_reviewed(decision, "confirmed" if agreed else "corrected", actor, self._clock())
        self._uow.tickets.add_example(labelled_example(report, department, "admin", actor))

    async def _tell_deputy(self, report: Report, department: Department) -> bool:
        deputy = await self._uow.deputies.get(report.deputy_id)
        if self._notifier is None or deputy is None or deputy.telegram_user_id is None:
            return False
        summary = report.summary or report.text[:40]
        notice = AssignedByStaff(report.number, summary, department.name)
        try:
            await self._notifier.notify(deputy.telegram_user_id, notice)
        except Exception:  # the assignment stands; a lost notice must not undo it
            log.exception("telling the deputy about %s failed", report.number)
            return False
        return True


def _option(department: Department | None) -> Option | None:
    return Option(department.code, department.name) if department else None


def _candidate_options(
    decision: RoutingDecision | None, by_code: dict[str, Department]
) -> list[Option]:
    if decision is None:
        return []
    found = []
    for raw in decision.candidates or []:
        department = by_code.get(str(raw.get("department_code", "")))
        if department is not None and department.active:
            found.append(Option(department.code, department.name))
    return found
