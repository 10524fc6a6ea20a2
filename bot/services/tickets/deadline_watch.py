"""Deadline enforcement: a 预警 to the hotline before a deadline, and once it has passed an
automatic 催办, the 督办 flag and a word to the deputy.

Transport-free and clock-injected: `python -m bot` runs `DeadlineJobs.run_forever`, tests call
`DeadlineWatch.run_once(now)`. Each alert is claimed on the ticket (a conditional UPDATE) and
queued for the hotline in the same transaction, so neither a second pass nor a second process
sends it twice. A pending 延期 request pauses everything (see deadlines.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute

from bot.core.outbox import DeadlineAlert, DeadlineKind, to_row
from bot.services.notices import DeadlineMissed, Notifier
from bot.services.tickets.deadlines import DeadlinePolicy
from storage.models import Ticket
from storage.repositories.deadlines import WatchedTicket
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

Column = InstrumentedAttribute[datetime | None]
# (deadline kind, overdue?) → (the deadline's column, the column that records the alert)
_COLUMNS: dict[tuple[DeadlineKind, bool], tuple[Column, Column]] = {
    (DeadlineKind.ACCEPT, False): (Ticket.accept_due_at, Ticket.accept_warned_for),
    (DeadlineKind.ACCEPT, True): (Ticket.accept_due_at, Ticket.accept_overdue_for),
    (DeadlineKind.HANDLE, False): (Ticket.due_at, Ticket.due_warned_for),
    (DeadlineKind.HANDLE, True): (Ticket.due_at, Ticket.due_overdue_for),
}


@dataclass(frozen=True)
class Alert:
    kind: DeadlineKind
    overdue: bool  # False: a 预警 ahead of the deadline
    deadline: datetime


@dataclass(frozen=True)
class WatchPass:
    """What one pass did (for logs and tests)."""

    armed: int = 0  # reopened tickets given a new handling deadline
    warnings: int = 0
    overdue: int = 0


class DeadlineWatch:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        notifier: Notifier,
        policy: DeadlinePolicy | None = None,
        *,
        warning_hours: float = 4,
        accept_warning_hours: float = 0.5,
        batch: int = 200,
    ) -> None:
        self._uow_factory = uow_factory
        self._notifier = notifier
        self._policy = policy or DeadlinePolicy()
        self._lead = {
            DeadlineKind.ACCEPT: accept_warning_hours,
            DeadlineKind.HANDLE: warning_hours,
        }
        self._batch = batch

    async def run_once(self, now: datetime) -> WatchPass:
        armed = await self._arm(now)
        warnings = overdue = 0
        after = 0
        while True:  # paged by id: every open ticket is looked at, memory stays bounded
            async with self._uow_factory() as uow:
                page = await uow.deadlines.watched(after, self._batch)
            for ticket in page:
                for alert in self.alerts(ticket, now):
                    if await self._send(ticket, alert):
                        overdue += alert.overdue
                        warnings += not alert.overdue
            if len(page) < self._batch:
                return WatchPass(armed, warnings, overdue)
            after = page[-1].ticket_id

    def alerts(self, ticket: WatchedTicket, now: datetime) -> list[Alert]:
        """The alerts due for this ticket now (each is sent once per deadline)."""
        found = []
        if ticket.accepted_at is None and ticket.accept_due_at is not None:
            found.append(
                self._alert(
                    DeadlineKind.ACCEPT,
                    ticket.accept_due_at,
                    ticket.accept_warned_for,
                    ticket.accept_overdue_for,
                    ticket.urgency,
                    now,
                )
            )
        if ticket.due_at is not None:
            found.append(
                self._alert(
                    DeadlineKind.HANDLE,
                    ticket.due_at,
                    ticket.due_warned_for,
                    ticket.due_overdue_for,
                    ticket.urgency,
                    now,
                )
            )
        return [alert for alert in found if alert is not None]

    def _alert(
        self,
        kind: DeadlineKind,
        deadline: datetime,
        warned_for: datetime | None,
        overdue_for: datetime | None,
        urgency: str,
        now: datetime,
    ) -> Alert | None:
        if now > deadline:
            return Alert(kind, True, deadline) if overdue_for != deadline else None
        if warned_for == deadline:
            return None
        if now >= self._policy.warning_at(deadline, self._lead[kind], urgency):
            return Alert(kind, False, deadline)
        return None

    async def _arm(self, now: datetime) -> int:
        """Reopened tickets (and ones a callback recorded first) get a deadline from now."""
        async with self._uow_factory() as uow:
            repository = uow.deadlines
            armed = 0
            for ticket_id, appeal_type, urgency in await repository.unarmed(self._batch):
                due = self._policy.handle_due(now, appeal_type, urgency)
                armed += await repository.arm(ticket_id, due)
            await uow.commit()
        return armed

    async def _send(self, ticket: WatchedTicket, alert: Alert) -> bool:
        deadline_column, claim_column = _COLUMNS[(alert.kind, alert.overdue)]
        message = DeadlineAlert(ticket.report_id, alert.kind, alert.deadline, alert.overdue)
        async with self._uow_factory() as uow:
            claimed = await uow.deadlines.claim(
                ticket.ticket_id,
                deadline_column,
                claim_column,
                alert.deadline,
                escalate=alert.overdue,  # 督办: the admins see the flag in the console
            )
            if not claimed:
                return False
            uow.outbox.add(to_row(message))
            uow.audit.record(
                "system",
                f"ticket.deadline_{message.stage}",
                entity="report",
                entity_id=ticket.report_id,
                after={"deadline": alert.kind, "due": alert.deadline.isoformat()},
            )
            try:
                await uow.commit()
            except IntegrityError:  # the same alert was queued before (a deadline moved back)
                return False
        if alert.overdue:
            await self._tell_deputy(ticket, alert)
        return True

    async def _tell_deputy(self, ticket: WatchedTicket, alert: Alert) -> None:
        if ticket.telegram_user_id is None:
            return
        notice = DeadlineMissed(alert.kind, ticket.number, ticket.summary, alert.deadline)
        try:
            await self._notifier.notify(ticket.telegram_user_id, notice)
        except Exception:  # the 催办 and 督办 stand; the deputy sees them in /my
            log.exception("telling the deputy of report %s it is overdue failed", ticket.report_id)
