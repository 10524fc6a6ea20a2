"""What a round's calls did, recorded in one transaction: tickets for creates (and their
deadlines: the hotline's clock starts at delivery), delivered follow-ups, and failures retried
with capped exponential back-off and full jitter for the retry window (OUTBOX_RETRY_HOURS: a
hotline down for a night or a maintenance weekend loses nothing), or dead-lettered at once
when the hotline refused the message as such."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from bot.core import metrics
from bot.core.outbox import Withdraw, to_row, withdraw_key
from bot.hotline.gateway import TicketReceipt
from bot.hotline.outbox.sending import Outcome
from bot.services.tickets.deadlines import DeadlinePolicy, restart_handling_clock
from storage.base import utcnow
from storage.models import OutboxMessage, OutboxStatus, Report, ReportStatus, Ticket
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    retry_for: timedelta = timedelta(hours=72)  # from the message's first queueing
    base_delay: float = 2.0
    max_delay: float = 300.0
    max_attempts: int | None = None  # a count as well as the window (tests, small setups)

    def backoff(self, attempts: int, jitter: float) -> timedelta:
        """Full jitter: uniform in [0, min(max_delay, base * 2^(attempts-1))]."""
        exponent = min(max(attempts - 1, 0), 62)  # 2^63 seconds is past any cap
        ceiling = min(self.max_delay, self.base_delay * 2**exponent)
        return timedelta(seconds=ceiling * jitter)

    def gives_up(self, message: OutboxMessage, now: datetime) -> bool:
        if self.max_attempts is not None and message.attempts >= self.max_attempts:
            return True
        return now - message.created_at >= self.retry_for


class OutcomeRecorder:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        adapter: str,
        deadlines: DeadlinePolicy,
        retry: RetryPolicy,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._uow_factory = uow_factory
        self._adapter = adapter
        self._deadlines = deadlines
        self._retry = retry
        self._clock = clock
        self._jitter = jitter
        self._counted: list[Callable[[str], None]] = []  # metrics of the attempt in hand

    async def record(self, outcomes: list[Outcome]) -> None:
        """All of a round's outcomes in one commit. A ticket that a callback recorded in the
        meantime breaks that commit: then each outcome is recorded on its own, carefully."""
        try:
            self._counted = []
            async with self._uow_factory() as uow:
                await self._apply(uow, outcomes, careful=False)
                await uow.commit()
            self._count()
        except IntegrityError:
            for outcome in outcomes:
                self._counted = []
                async with self._uow_factory() as uow:
                    await self._apply(uow, [outcome], careful=True)
                    await uow.commit()
                self._count()
        for outcome in outcomes:
            if outcome.error is None:
                receipt = outcome.receipt
                log.info(
                    "outbox message %s delivered (%s)",
                    outcome.message_id,
                    receipt.external_id if receipt else "follow-up",
                )

    async def _apply(self, uow: UnitOfWork, outcomes: list[Outcome], *, careful: bool) -> None:
        repo = uow.outbox
        messages = {m.id: m for m in await repo.by_ids([o.message_id for o in outcomes])}
        created = {o.message_id: o.receipt for o in outcomes if o.receipt is not None}
        report_ids = [m.report_id for i, m in messages.items() if i in created and m.report_id]
        reports = await repo.reports(report_ids)
        recorded = await repo.tickets(report_ids)  # by callbacks that came first
        # A deputy who withdrew after a callback had recorded the ticket queued the 撤回 then.
        queued = await repo.existing_keys(
            [withdraw_key(r.id) for r in reports.values() if r.status == ReportStatus.WITHDRAWN]
        )
        for outcome in outcomes:
            message = messages.get(outcome.message_id)
            if message is None:
                continue
            if outcome.error is not None:
                # Cancelled meanwhile (撤回) or delivered by another worker: a failed call
                # neither makes it a dead letter nor schedules a retry.
                if message.status == OutboxStatus.PENDING:
                    self._fail(message, outcome.error, permanent=outcome.permanent)
                continue
            if outcome.replacement is not None and message.report_id is not None:
                await self._replace_ticket(uow, message.report_id, outcome.replacement)
            report = reports.get(message.report_id or 0)
            if report is not None and outcome.receipt is not None:
                ticket = recorded.get(report.id)
                if ticket is None:
                    ticket = self._ticket(report, outcome.receipt)
                    if not careful:
                        uow.session.add(ticket)
                    elif not await uow.tickets.add_ticket(ticket):  # a callback was first
                        ticket = await uow.reports.ticket(report.id)
                if ticket is not None:
                    self.start_clock(ticket, report)
                withdrawn = report.status == ReportStatus.WITHDRAWN
                if withdrawn and withdraw_key(report.id) not in queued:
                    # Withdrawn while this create was on its way: the hotline must cancel it.
                    uow.outbox.add(to_row(Withdraw(report.id)))
            message.attempts += 1
            self.settle(message, OutboxStatus.DELIVERED)

    async def _replace_ticket(self, uow: UnitOfWork, report_id: int, new: TicketReceipt) -> None:
        """A 重办 the hotline took as a new ticket: the report follows that one from now on
        (its polling, its answer, the next rating round); the old id stays in the events."""
        report = await uow.reports.get(report_id)
        ticket = await uow.reports.ticket(report_id)
        if report is None or ticket is None or ticket.external_id == new.external_id:
            return
        log.info(
            "report %s: ticket %s replaced by %s", report_id, ticket.external_id, new.external_id
        )
        ticket.external_id = new.external_id
        ticket.status = report.status = ReportStatus.REOPENED
        ticket.closed_at = None
        ticket.next_poll_at = None
        restart_handling_clock(ticket)

    def _count(self) -> None:
        """Deliveries, retries and dead letters counted once committed (a rolled-back
        attempt counts nothing)."""
        for count in self._counted:
            count(self._adapter)
        self._counted = []

    def _ticket(self, report: Report, receipt: TicketReceipt) -> Ticket:
        return Ticket(
            report_id=report.id,
            adapter=self._adapter,
            external_id=receipt.external_id,
            status=receipt.status or ReportStatus.SUBMITTED,
            department_id=report.department_id,
        )

    def start_clock(self, ticket: Ticket, report: Report) -> None:
        """The hotline's clock starts now: 受理 and handling deadlines from delivery. Also for
        a ticket a callback recorded first (while the round's other calls were out): the
        callback does not know the deadlines."""
        received = self._clock()
        if ticket.accept_due_at is None:
            ticket.accept_due_at = self._deadlines.accept_due(received)
        if ticket.due_at is None:
            ticket.due_at = self._deadlines.handle_due(
                received, report.appeal_type, report.urgency
            )

    def _fail(self, message: OutboxMessage, error: str, *, permanent: bool) -> None:
        message.attempts += 1
        now = self._clock()
        if permanent or self._retry.gives_up(message, now):
            self.settle(message, OutboxStatus.DEAD, error)
            log.error(
                "outbox message %s dead after %d attempts: %s", message.id, message.attempts, error
            )
            return
        message.last_error = error[:2000]
        message.locked_until = None
        self._counted.append(metrics.retried)
        delay = self._retry.backoff(message.attempts, self._jitter())
        # The last retry falls at the window's end, not after it.
        window_end = message.created_at + self._retry.retry_for
        message.next_attempt_at = min(now + delay, max(window_end, now))
        log.warning("outbox message %s attempt %d failed: %s", message.id, message.attempts, error)

    def settle(self, message: OutboxMessage, status: str, error: str | None = None) -> None:
        message.status = status
        message.locked_until = None
        if error is not None:
            message.last_error = error[:2000]
        if status == OutboxStatus.DELIVERED:
            message.delivered_at = self._clock()
            self._counted.append(metrics.delivered)
        elif status == OutboxStatus.DEAD:
            self._counted.append(metrics.dead_lettered)
