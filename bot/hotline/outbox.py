"""The outbox worker: delivers queued hotline messages, with back-off and dead letters.

Delivery is at-least-once; the idempotency key sent with every attempt makes it exactly-once at
the hotline: if the process dies between the send and the commit, the next attempt (after the
claim's lease runs out) gets the same ticket back and records it then."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy.exc import IntegrityError

from bot.core.outbox import (
    LegacyCall,
    Reroute,
    UnknownMessage,
    Withdraw,
    from_row,
    to_row,
    withdraw_key,
)
from bot.hotline.gateway import (
    BatchTicketCreator,
    HotlineError,
    HotlineGateway,
    PermanentHotlineError,
    PhotoFile,
    Reporter,
    TicketReceipt,
    TicketRequest,
)
from bot.hotline.notes import hotline_note
from bot.services.tickets.deadlines import DeadlinePolicy
from storage.base import utcnow
from storage.models import (
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Report,
    ReportPhoto,
    ReportStatus,
    Ticket,
)
from storage.repositories.tickets import TicketContext
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

CREATE_TICKET, REOPEN, URGE = OutboxKind.CREATE_TICKET, OutboxKind.REOPEN, OutboxKind.URGE
REROUTE, WITHDRAW = OutboxKind.REROUTE, OutboxKind.WITHDRAW
FOLLOW_UPS = frozenset({REOPEN, URGE, REROUTE, WITHDRAW})
# A claimed message is ours this long; a worker that died holding it frees it by expiry.
DEFAULT_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class _FollowUp:
    """A call about a ticket the hotline already holds (reopen, urge, reroute, withdraw)."""

    kind: str
    external_id: str
    text: str
    idempotency_key: str
    department_code: str = ""


@dataclass(frozen=True)
class _Outcome:
    """What one call did: a receipt (a create), nothing (a follow-up), or an error."""

    message_id: int
    receipt: TicketReceipt | None = None
    error: str | None = None
    permanent: bool = False


def _failed(message_id: int, error: HotlineError) -> _Outcome:
    permanent = isinstance(error, PermanentHotlineError)
    return _Outcome(message_id, error=str(error), permanent=permanent)


@dataclass(frozen=True)
class _Wait:
    """An earlier message of the same report is still pending: this one goes after it."""

    until: datetime


@dataclass(frozen=True)
class _Skip:
    """The message needs no call: it is settled with this status and reason."""

    status: str
    reason: str | None = None


class OutboxWorker:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        gateway: HotlineGateway,
        *,
        max_attempts: int = 8,
        base_delay: float = 2.0,
        max_delay: float = 600.0,
        batch: int = 50,
        concurrency: int = 8,
        lease: timedelta = DEFAULT_LEASE,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
        deadlines: DeadlinePolicy | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._deadlines = deadlines or DeadlinePolicy()
        self._gateway = gateway
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._batch = batch
        self._concurrency = max(1, concurrency)
        self._lease = lease
        self._clock = clock
        self._jitter = jitter
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Deliver now rather than after the idle sleep (e.g. right after a report is filed)."""
        self._wake.set()

    async def run_forever(self, stop_event: asyncio.Event, idle_sleep: float = 2.0) -> None:
        while not stop_event.is_set():
            self._wake.clear()
            try:
                handled = await self.run_once()
            except Exception:  # keep delivering; the messages stay queued
                log.exception("outbox pass failed")
                handled = 0
            if handled >= self._batch:
                continue  # more may be due right now
            waiters = [
                asyncio.ensure_future(stop_event.wait()),
                asyncio.ensure_future(self._wake.wait()),
            ]
            await asyncio.wait(waiters, timeout=idle_sleep, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def run_once(self) -> int:
        """Claim the due messages and try each once; how many were tried."""
        now = self._clock()
        lease_until = now + self._lease
        async with self._uow_factory() as uow:
            claimed = await uow.outbox.claim_due(now, lease_until, self._batch)
            await uow.commit()
        # Different reports go out side by side; one report's messages keep their order
        # (a 催办 must not overtake the ticket it is about): round k sends each report's k-th.
        # By id, not by claim order: a retried message is due later but was queued first.
        lanes: dict[int, list[int]] = {}
        for message_id, report_id in sorted(claimed):
            lane = report_id if report_id is not None else -message_id
            lanes.setdefault(lane, []).append(message_id)
        for depth in range(max((len(lane) for lane in lanes.values()), default=0)):
            lease_until = await self._deliver_round(
                [lane[depth] for lane in lanes.values() if depth < len(lane)], lease_until
            )
        return len(claimed)

    async def _deliver_round(self, message_ids: list[int], held_until: datetime) -> datetime:
        """One transaction reads what the round needs, the calls go out concurrently, one
        transaction records every outcome: a few statements per round instead of ~20 a message.

        `held_until` is our claim; it is renewed for the round, and what another worker has
        claimed since (ours had run out during a slow round) is left to it. The new claim."""
        lease_until = self._clock() + self._lease
        async with self._uow_factory() as uow:
            repo = uow.outbox
            ours = set(await repo.renew(message_ids, held_until, lease_until))
            messages = await repo.pending([i for i in message_ids if i in ours])
            prepared = await self._prepare(uow, messages)
            for message, step in zip(messages, prepared, strict=True):
                if isinstance(step, _Skip):
                    self._settle(message, step.status, step.reason)
                elif isinstance(step, _Wait):  # not an attempt: no error, nothing counted
                    message.locked_until = None
                    message.next_attempt_at = max(message.next_attempt_at, step.until)
            await uow.commit()
            calls = [
                (m.id, m.kind, p)
                for m, p in zip(messages, prepared, strict=True)
                if isinstance(p, TicketRequest | _FollowUp)
            ]
        # No transaction is open during the calls: SQLite would hold its lock across the network.
        limit = asyncio.Semaphore(self._concurrency)
        # A call may take a minute (the adapters' timeouts): one started later could still be
        # on the wire when the claim runs out and another worker sends the message too.
        start_by = lease_until - self._lease / 5

        async def send(
            message_id: int, kind: str, call: TicketRequest | _FollowUp
        ) -> list[_Outcome]:
            async with limit:
                if self._clock() > start_by:
                    return []  # waited too long for a slot: left to the next claim
                return [await self._send(message_id, kind, call)]

        async def send_creates(creates: list[tuple[int, TicketRequest]]) -> list[_Outcome]:
            async with limit:
                if self._clock() > start_by:
                    return []
                return await self._send_creates(creates)

        # A gateway that files several tickets per call gets the round's creates together;
        # those with photos (megabytes each) still go one by one, within the limit.
        creates = [
            (i, call)
            for i, _, call in calls
            if isinstance(call, TicketRequest) and not call.photos
        ]
        together = len(creates) > 1 and isinstance(self._gateway, BatchTicketCreator)
        batched = {i for i, _ in creates} if together else set()
        sending = [send(*call) for call in calls if call[0] not in batched]
        if together:
            sending.append(send_creates(creates))
        outcomes = [outcome for sent in await asyncio.gather(*sending) for outcome in sent]
        if outcomes:
            await self._record(outcomes)
        return lease_until

    async def _send(self, message_id: int, kind: str, call: TicketRequest | _FollowUp) -> _Outcome:
        try:
            if isinstance(call, _FollowUp):
                await self._follow_up(call)
                return _Outcome(message_id)
            return _Outcome(message_id, receipt=await self._gateway.create_ticket(call))
        except HotlineError as error:
            return _failed(message_id, error)
        except Exception as error:  # a bug in an adapter must not stop the queue
            log.exception("outbox message %s (%s) failed unexpectedly", message_id, kind)
            return _Outcome(message_id, error=f"{type(error).__name__}: {error}")

    async def _send_creates(self, creates: list[tuple[int, TicketRequest]]) -> list[_Outcome]:
        gateway = cast(BatchTicketCreator, self._gateway)
        try:
            results = await gateway.create_tickets([request for _, request in creates])
        except Exception as error:  # as in _send: the messages are retried
            log.exception("outbox creates %s failed unexpectedly", [i for i, _ in creates])
            return [_Outcome(i, error=f"{type(error).__name__}: {error}") for i, _ in creates]
        return [
            _failed(i, result) if isinstance(result, HotlineError) else _Outcome(i, receipt=result)
            for (i, _), result in zip(creates, results, strict=True)
        ]

    async def _follow_up(self, follow_up: _FollowUp) -> None:
        gateway, ticket, key = self._gateway, follow_up.external_id, follow_up.idempotency_key
        if follow_up.kind == REOPEN:
            status = await gateway.reopen(ticket, follow_up.text, key)
            log.info("ticket %s reopened: now %s", ticket, status)
        elif follow_up.kind == REROUTE:
            await gateway.reroute(ticket, follow_up.department_code, follow_up.text, key)
        elif follow_up.kind == WITHDRAW:
            await gateway.withdraw(ticket, follow_up.text, key)
        else:
            await gateway.urge(ticket, follow_up.text, key)

    async def _prepare(
        self, uow: UnitOfWork, messages: list[OutboxMessage]
    ) -> list[TicketRequest | _FollowUp | _Skip | _Wait]:
        repo = uow.outbox
        report_ids = [m.report_id for m in messages if m.report_id is not None]
        creates = [m.report_id for m in messages if m.kind == CREATE_TICKET and m.report_id]
        contexts = await repo.ticket_contexts(creates)
        photos = await repo.photos([r for r, c in contexts.items() if c.has_photos])
        tickets = await repo.tickets(report_ids)
        # A message that failed and waits for its retry (in an earlier round or pass) holds
        # back the later ones of its report: two 改派 must reach the hotline in their order.
        first_pending = await repo.first_pending(report_ids)
        prepared: list[TicketRequest | _FollowUp | _Skip | _Wait] = []
        for message in messages:
            report_id = message.report_id or 0
            earlier = first_pending.get(report_id)
            if earlier is not None and earlier.id < message.id:
                # Not before the earlier one's retry, nor at once: it may be on the wire now.
                soonest = self._clock() + timedelta(seconds=self._base_delay)
                prepared.append(_Wait(max(earlier.next_attempt_at, soonest)))
            elif message.kind in FOLLOW_UPS:
                prepared.append(self._prepare_follow_up(message, tickets.get(report_id)))
            elif message.kind != CREATE_TICKET:
                prepared.append(_Skip(OutboxStatus.DEAD, f"unsupported kind {message.kind!r}"))
            else:
                context, ticket = contexts.get(report_id), tickets.get(report_id)
                if context is not None and ticket is not None:
                    # A callback recorded it while this create's outcome was unknown (a lost
                    # reply, a crash): the clock starts now at the latest.
                    self._start_clock(ticket, context.report)
                prepared.append(
                    self._prepare_ticket(message, context, ticket, photos.get(report_id, []))
                )
        return prepared

    def _prepare_follow_up(
        self, message: OutboxMessage, ticket: Ticket | None
    ) -> _FollowUp | _Skip:
        if ticket is None or not ticket.external_id:
            return _Skip(OutboxStatus.DEAD, "report has no hotline ticket")
        if ticket.adapter != self._gateway.adapter:
            return _Skip(OutboxStatus.DEAD, f"ticket belongs to adapter {ticket.adapter!r}")
        try:
            decoded = from_row(message)
        except UnknownMessage as error:
            return _Skip(OutboxStatus.DEAD, str(error))
        department = decoded.department_code if isinstance(decoded, Reroute | LegacyCall) else ""
        return _FollowUp(
            kind=message.kind,
            external_id=ticket.external_id,
            text=hotline_note(decoded),
            idempotency_key=message.idempotency_key,
            department_code=department,
        )

    @staticmethod
    def _prepare_ticket(
        message: OutboxMessage,
        context: TicketContext | None,
        ticket: Ticket | None,
        photos: list[ReportPhoto],
    ) -> TicketRequest | _Skip:
        if context is None:
            return _Skip(OutboxStatus.DEAD, "report not found")
        report, department, deputy, district = (
            context.report,
            context.department,
            context.deputy,
            context.district,
        )
        if report.status == ReportStatus.WITHDRAWN:
            return _Skip(OutboxStatus.CANCELLED, "report withdrawn")
        if ticket is not None:
            return _Skip(OutboxStatus.DELIVERED)  # an earlier attempt's ticket is recorded
        if department is None or deputy is None:
            return _Skip(OutboxStatus.DEAD, "report has no department or deputy")
        return TicketRequest(
            idempotency_key=message.idempotency_key,
            report_number=report.number,
            department_code=department.code,
            summary=report.summary or report.text[:40],
            text=report.text,
            appeal_type=report.appeal_type,
            urgency=report.urgency,
            reporter=Reporter(
                name=deputy.name,
                phone=deputy.phone,
                level=deputy.level,
                station=deputy.station or None,
            ),
            district=district.name if district else None,
            town=report.town,
            address=report.address,
            latitude=report.latitude,
            longitude=report.longitude,
            photos=tuple(
                PhotoFile(path=Path(photo.local_path), filename=f"{report.number}-{n}.jpg")
                for n, photo in enumerate(photos, start=1)
                if photo.local_path
            ),
            submitted_at=report.created_at,
        )

    async def _record(self, outcomes: list[_Outcome]) -> None:
        """All of a round's outcomes in one commit. A ticket that a callback recorded in the
        meantime breaks that commit: then each outcome is recorded on its own, carefully."""
        try:
            async with self._uow_factory() as uow:
                await self._apply(uow, outcomes, careful=False)
                await uow.commit()
        except IntegrityError:
            for outcome in outcomes:
                async with self._uow_factory() as uow:
                    await self._apply(uow, [outcome], careful=True)
                    await uow.commit()
        for outcome in outcomes:
            if outcome.error is None:
                receipt = outcome.receipt
                log.info(
                    "outbox message %s delivered (%s)",
                    outcome.message_id,
                    receipt.external_id if receipt else "follow-up",
                )

    async def _apply(self, uow: UnitOfWork, outcomes: list[_Outcome], *, careful: bool) -> None:
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
                    self._start_clock(ticket, report)
                withdrawn = report.status == ReportStatus.WITHDRAWN
                if withdrawn and withdraw_key(report.id) not in queued:
                    # Withdrawn while this create was on its way: the hotline must cancel it.
                    uow.outbox.add(to_row(Withdraw(report.id)))
            message.attempts += 1
            self._settle(message, OutboxStatus.DELIVERED)

    def _ticket(self, report: Report, receipt: TicketReceipt) -> Ticket:
        return Ticket(
            report_id=report.id,
            adapter=self._gateway.adapter,
            external_id=receipt.external_id,
            status=receipt.status or ReportStatus.SUBMITTED,
            department_id=report.department_id,
        )

    def _start_clock(self, ticket: Ticket, report: Report) -> None:
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
        if permanent or message.attempts >= self._max_attempts:
            self._settle(message, OutboxStatus.DEAD, error)
            log.error(
                "outbox message %s dead after %d attempts: %s", message.id, message.attempts, error
            )
            return
        message.last_error = error[:2000]
        message.locked_until = None
        message.next_attempt_at = self._clock() + self.backoff(message.attempts)
        log.warning("outbox message %s attempt %d failed: %s", message.id, message.attempts, error)

    def backoff(self, attempts: int) -> timedelta:
        """Full jitter: uniform in [0, min(max_delay, base * 2^(attempts-1))]."""
        ceiling = min(self._max_delay, self._base_delay * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=ceiling * self._jitter())

    def _settle(self, message: OutboxMessage, status: str, error: str | None = None) -> None:
        message.status = status
        message.locked_until = None
        if error is not None:
            message.last_error = error[:2000]
        if status == OutboxStatus.DELIVERED:
            message.delivered_at = self._clock()
