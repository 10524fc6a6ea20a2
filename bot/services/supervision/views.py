"""What the 督办 desk shows: the queue (each case with why it is there) and one case with its
whole history — the deputy, the text, the photos, every hotline event, the ratings with their
reasons, the deadlines, and the desk's own notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.console.common import directory_maps
from storage.models import (
    TRIGGER_LABELS,
    Rating,
    SupervisionCase,
    SupervisionNote,
    SupervisionState,
    SupervisionTrigger,
    TicketEvent,
)
from storage.uow import UnitOfWork

STATE_LABELS = {
    SupervisionState.OPEN.value: "待督办",
    SupervisionState.SUPERVISING.value: "督办中",
    SupervisionState.CLOSED.value: "已办结督办",
}
NOTE_LABELS = {
    "notice": "发起督办",
    "contact": "记录联系",
    "handover": "转交",
    "close": "办结督办",
    "trigger": "列入督办",
}


def reason_labels(codes: list[str]) -> list[str]:
    return [TRIGGER_LABELS.get(SupervisionTrigger(c), c) for c in codes if c in _CODES]


_CODES = frozenset(t.value for t in SupervisionTrigger)


@dataclass(frozen=True)
class DeskRow:
    case_id: int
    number: str
    summary: str
    deputy: str
    department: str
    reasons: list[str]
    state: str
    assignee: str
    due_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class CaseView:
    case: SupervisionCase
    row: DeskRow
    text: str
    report_status: str
    deputy_phone: str
    external_id: str
    ticket_status: str
    accept_due_at: datetime | None
    photos: list[int]
    events: list[TicketEvent]
    ratings: list[Rating]
    notes: list[SupervisionNote]


class DeskViews:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def queue(self, *, include_closed: bool = False) -> list[DeskRow]:
        cases = await self._uow.supervision.queue(include_closed=include_closed)
        return [await self._row(case) for case in cases]

    async def case(self, case_id: int) -> CaseView | None:
        case = await self._uow.supervision.get(case_id)
        if case is None:
            return None
        report = await self._uow.reports.get(case.report_id)
        if report is None:
            return None
        deputy = await self._uow.deputies.get(report.deputy_id)
        ticket = await self._uow.reports.ticket(report.id)
        events = await self._uow.reports.ticket_events(ticket.id) if ticket else []
        photos = await self._uow.reports.photos(report.id)
        return CaseView(
            case=case,
            row=await self._row(case),
            text=report.text,
            report_status=report.status,
            deputy_phone=deputy.phone if deputy else "",
            external_id=(ticket.external_id or "") if ticket else "",
            ticket_status=ticket.status if ticket else "",
            accept_due_at=ticket.accept_due_at if ticket else None,
            photos=[p.position for p in photos],
            events=events,
            ratings=await self._uow.reports.ratings(report.id),
            notes=await self._uow.supervision.notes(case.id),
        )

    async def _row(self, case: SupervisionCase) -> DeskRow:
        report = await self._uow.reports.get(case.report_id)
        assert report is not None  # a case's report is never deleted
        deputy = await self._uow.deputies.get(report.deputy_id)
        ticket = await self._uow.reports.ticket(report.id)
        departments, _ = await directory_maps(self._uow)
        department_id = (ticket.department_id if ticket else None) or report.department_id
        department = departments.get(department_id or 0)
        return DeskRow(
            case_id=case.id,
            number=report.number,
            summary=report.summary or report.text[:40],
            deputy=deputy.name if deputy else "",
            department=department.name if department else "（未分派）",
            reasons=reason_labels(list(case.reasons)),
            state=case.state,
            assignee=case.assignee or "",
            due_at=ticket.due_at if ticket else None,
            created_at=case.created_at,
        )
