"""What an operator's tap in the operators' group does (HOTLINE_ADAPTER=telegram).

The tap is checked against the card (only the ticket's current card acts) and the report's
status (a button of an earlier state changes nothing), then applied as a `HotlineEvent` through
`TicketUpdateService` — exactly what a signed callback of the http adapter becomes, so the deputy
is told the same way. The event id names the card and the action: a double tap, or two operators
tapping at once, records one event."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.hotline.telegram.cards import (
    ACTIONS_BY_STATUS,
    NEEDS_TEXT,
    CardBook,
    CardView,
    OperatorAction,
    external_id_for,
)
from bot.services.notices import Notifier
from bot.services.tickets.updates import HotlineEvent, TicketUpdateService
from storage.base import utcnow
from storage.models import ReportStatus
from storage.uow import UnitOfWorkFactory

ADAPTER = "telegram"
MIN_TEXT = 2
MAX_REASON = 500
MAX_ANSWER = 3000  # what the deputy's 已答复 notice shows in full
# The event each action becomes (the status TicketUpdateService moves the ticket to).
EVENT_STATUS: dict[OperatorAction, str] = {
    OperatorAction.ACCEPT: ReportStatus.ACCEPTED,
    OperatorAction.RETURN: "退回",
    OperatorAction.ANSWER: ReportStatus.ANSWERED,
    OperatorAction.CLOSE: ReportStatus.CLOSED,
}


class DeskOutcome(StrEnum):
    READY = "ready"  # the tap may go on (退回/答复: ask the operator for the text)
    DONE = "done"
    UNKNOWN_TICKET = "unknown_ticket"  # no such report, or it never reached the group
    STALE_CARD = "stale_card"  # a button of an earlier card (or not on a card at all)
    NOT_ALLOWED = "not_allowed"  # the report's status does not allow the action (any more)
    DUPLICATE = "duplicate"  # the same tap was recorded already (double tap, two operators)
    TEXT_TOO_SHORT = "text_too_short"
    TEXT_TOO_LONG = "text_too_long"


@dataclass(frozen=True)
class OperatorTap:
    report_id: int
    chat_id: int
    message_id: int  # the card whose button was tapped
    action: OperatorAction
    operator: str  # shown on the card and in the ticket's timeline


@dataclass(frozen=True)
class DeskResult:
    outcome: DeskOutcome
    status: str | None = None  # the report's status (for NOT_ALLOWED)
    card: CardView | None = None  # the card as it reads now (after DONE)
    external_id: str = ""  # the ticket's (after READY)


def text_limit(action: OperatorAction) -> int:
    return MAX_ANSWER if action is OperatorAction.ANSWER else MAX_REASON


class OperatorDesk:
    def __init__(self, uow_factory: UnitOfWorkFactory, notifier: Notifier) -> None:
        self._uow_factory = uow_factory
        self._updates = TicketUpdateService(uow_factory, notifier, adapter=ADAPTER)

    async def check(self, tap: OperatorTap) -> DeskResult:
        result, _number = await self._check(tap)
        return result

    async def act(self, tap: OperatorTap, text: str | None = None) -> DeskResult:
        """Apply the tap (with the operator's reason or answer where one is needed)."""
        checked, number = await self._check(tap)
        if checked.outcome is not DeskOutcome.READY:
            return checked
        text = (text or "").strip()
        if tap.action in NEEDS_TEXT:
            if len(text) < MIN_TEXT:
                return DeskResult(DeskOutcome.TEXT_TOO_SHORT)
            if len(text) > text_limit(tap.action):
                return DeskResult(DeskOutcome.TEXT_TOO_LONG)
        event = HotlineEvent(
            event_id=f"tg:{tap.chat_id}:{tap.message_id}:{tap.action.value}",
            external_id=external_id_for(number),
            status=EVENT_STATUS[tap.action],
            occurred_at=utcnow(),
            report_number=number,
            action=tap.action.value,
            note=text if tap.action is OperatorAction.RETURN else None,
            answer=text if tap.action is OperatorAction.ANSWER else None,
            operator=tap.operator,
        )
        outcome = await self._updates.process(event)
        if not outcome.known:
            return DeskResult(DeskOutcome.UNKNOWN_TICKET)
        if not outcome.recorded:
            return DeskResult(DeskOutcome.DUPLICATE, status=outcome.report_status)
        return DeskResult(DeskOutcome.DONE, outcome.report_status, await self.view(tap.report_id))

    async def view(self, report_id: int) -> CardView | None:
        async with self._uow_factory() as uow:
            report = await uow.reports.get(report_id)
            return await CardBook(uow).view(report) if report is not None else None

    async def _check(self, tap: OperatorTap) -> tuple[DeskResult, str]:
        async with self._uow_factory() as uow:
            report = await uow.reports.get(tap.report_id)
            if report is None:
                return DeskResult(DeskOutcome.UNKNOWN_TICKET), ""
            current = await CardBook(uow).current(report.id)
            if current is None:
                return DeskResult(DeskOutcome.UNKNOWN_TICKET), ""
            if (current.chat_id, current.message_id) != (tap.chat_id, tap.message_id):
                return DeskResult(DeskOutcome.STALE_CARD, report.status), ""
            if tap.action not in ACTIONS_BY_STATUS.get(report.status, ()):
                return DeskResult(DeskOutcome.NOT_ALLOWED, report.status), ""
            ready = DeskResult(
                DeskOutcome.READY, report.status, external_id=external_id_for(report.number)
            )
            return ready, report.number
