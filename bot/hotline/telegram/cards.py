"""Ticket cards in the operators' group chat (HOTLINE_ADAPTER=telegram): what a card shows,
which operator actions it offers, and where each card was posted.

Where a card was posted is kept in the audit log (action `hotline.telegram_card`, entity the
report): it is the record that makes a retried create post no second card, and that tells a
button of the current card from one of an earlier card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.services.tickets.deadlines import DeadlinePolicy
from storage.models import Report, ReportStatus
from storage.uow import UnitOfWork

CARD_AUDIT_ACTION = "hotline.telegram_card"
EXTERNAL_PREFIX = "TG-"
HISTORY_SHOWN = 6  # the card shows the latest events only: it must fit one message


class OperatorAction(StrEnum):
    ACCEPT = "accept"  # 受理
    RETURN = "return"  # 退回 (with a reason)
    ANSWER = "answer"  # 答复 (with the answer)
    CLOSE = "close"  # 办结


class CardKind(StrEnum):
    CREATE = "create"  # the first card
    REOPEN = "reopen"  # fresh buttons after the deputy's 不满意
    REROUTE = "reroute"  # fresh buttons after an admin's 改派
    PHOTOS = "photos"  # the photos under a card (no buttons)
    WITHDRAW = "withdraw"  # the withdrawal notice (no buttons)


# Kinds that carry buttons: the newest of them is the ticket's current card.
BUTTON_KINDS = frozenset({CardKind.CREATE, CardKind.REOPEN, CardKind.REROUTE})
_WORKING = (OperatorAction.ANSWER, OperatorAction.RETURN)
ACTIONS_BY_STATUS: dict[str, tuple[OperatorAction, ...]] = {
    ReportStatus.SUBMITTED: (OperatorAction.ACCEPT, OperatorAction.RETURN),
    ReportStatus.ACCEPTED: _WORKING,
    ReportStatus.DISPATCHED: _WORKING,
    ReportStatus.IN_PROGRESS: _WORKING,
    ReportStatus.REOPENED: _WORKING,
    ReportStatus.ANSWERED: (OperatorAction.CLOSE,),
}
NEEDS_TEXT = frozenset({OperatorAction.RETURN, OperatorAction.ANSWER})


def external_id_for(report_number: str) -> str:
    return EXTERNAL_PREFIX + report_number


def report_number_of(external_id: str) -> str | None:
    if not external_id.startswith(EXTERNAL_PREFIX):
        return None
    return external_id[len(EXTERNAL_PREFIX) :] or None


@dataclass(frozen=True)
class PostedCard:
    chat_id: int
    message_id: int
    kind: str
    key: str  # the outbox idempotency key it was posted for ("" when none)


def current_of(cards: list[PostedCard]) -> PostedCard | None:
    """The newest card with buttons (`cards` oldest first): only its buttons act."""
    with_buttons = [card for card in cards if card.kind in BUTTON_KINDS]
    return with_buttons[-1] if with_buttons else None


def kind_of(current: PostedCard | None) -> str:
    """What a view of the current card is titled as; before any card, the first one."""
    return current.kind if current else CardKind.CREATE


@dataclass(frozen=True)
class CardEntry:
    at: datetime
    status: str
    actor: str
    note: str


@dataclass(frozen=True)
class CardView:
    kind: str  # a CardKind with buttons: what the card was posted for
    report_id: int
    external_id: str
    number: str
    status: str
    department: str | None
    appeal_type: str
    urgency: str
    district: str | None
    place: str | None  # town + address
    reporter_name: str
    reporter_level: str
    summary: str
    text: str
    accept_due: datetime | None
    due: datetime | None
    photos: int
    history: tuple[CardEntry, ...]
    actions: tuple[OperatorAction, ...]


class CardBook:
    """Cards of one unit of work: records where they were posted and builds what they show."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def report(self, external_id: str) -> Report | None:
        number = report_number_of(external_id)
        return await self._uow.reports.by_number(number) if number else None

    async def posted(self, report_id: int) -> list[PostedCard]:
        rows = await self._uow.audit.for_entity("report", report_id, [CARD_AUDIT_ACTION])
        cards = []
        for row in rows:
            after = row.after or {}
            chat_id, message_id = after.get("chat_id"), after.get("message_id")
            if isinstance(chat_id, int) and isinstance(message_id, int):
                kind, key = after.get("kind"), after.get("key")
                cards.append(PostedCard(chat_id, message_id, str(kind), str(key or "")))
        return cards

    async def current(self, report_id: int) -> PostedCard | None:
        return current_of(await self.posted(report_id))

    def record(self, report_id: int, card: PostedCard) -> None:
        self._uow.audit.record(
            "bot",
            CARD_AUDIT_ACTION,
            entity="report",
            entity_id=report_id,
            after={
                "chat_id": card.chat_id,
                "message_id": card.message_id,
                "kind": card.kind,
                "key": card.key,
            },
        )

    async def view(
        self,
        report: Report,
        *,
        kind: str | None = None,
        status: str | None = None,
        department_code: str | None = None,
        deadlines: DeadlinePolicy | None = None,
        now: datetime | None = None,
    ) -> CardView:
        """What the card shows now; `status`/`department_code` show a change about to be
        applied, and `deadlines` estimates the due times of a ticket not yet recorded."""
        uow = self._uow
        department = (
            await uow.directory.department(department_code)
            if department_code
            else await uow.directory.department_by_id(report.department_id)
        )
        district = await uow.directory.district(report.district_id)
        deputy = await uow.deputies.get(report.deputy_id)
        ticket = await uow.reports.ticket(report.id)
        history: list[CardEntry] = []
        accept_due = due = None
        if ticket is not None:
            accept_due, due = ticket.accept_due_at, ticket.due_at
            for event in await uow.reports.ticket_events(ticket.id):
                history.append(CardEntry(event.occurred_at, event.status, event.actor, event.note))
        elif deadlines is not None and now is not None:
            accept_due = deadlines.accept_due(now)
            due = deadlines.handle_due(now, report.appeal_type, report.urgency)
        shown = status or report.status
        if kind is None:
            kind = kind_of(await self.current(report.id))
        return CardView(
            kind=kind,
            report_id=report.id,
            external_id=external_id_for(report.number),
            number=report.number,
            status=shown,
            department=department.name if department else None,
            appeal_type=report.appeal_type,
            urgency=report.urgency,
            district=district.name if district else None,
            place="".join(part for part in (report.town, report.address) if part) or None,
            reporter_name=deputy.name if deputy else "",
            reporter_level=deputy.level if deputy else "",
            summary=report.summary or report.text[:40],
            text=report.text,
            accept_due=accept_due,
            due=due,
            photos=len(await uow.reports.photos(report.id)),
            history=tuple(history[-HISTORY_SHOWN:]),
            actions=ACTIONS_BY_STATUS.get(shown, ()),
        )
