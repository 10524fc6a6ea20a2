"""The outbox worker: claims due messages and delivers them in rounds, with back-off and dead
letters (the steps: requests.py reads, sending.py calls, outcomes.py records).

Delivery is at-least-once; the idempotency key sent with every attempt makes it exactly-once at
the hotline: if the process dies between the send and the commit, the next attempt (after the
claim's lease runs out) gets the same ticket back and records it then."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.hotline.gateway import HotlineGateway, TicketRequest
from bot.hotline.outbox.outcomes import OutcomeRecorder, RetryPolicy
from bot.hotline.outbox.requests import FollowUp, RequestBuilder, Skip, Wait
from bot.hotline.outbox.sending import Outcome, Sender
from bot.services.tickets.deadlines import DeadlinePolicy
from storage.base import utcnow
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

# A claimed message is ours this long; a worker that died holding it frees it by expiry.
DEFAULT_LEASE = timedelta(minutes=5)
Call = tuple[int, str, TicketRequest | FollowUp]


class OutboxWorker:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        gateway: HotlineGateway,
        *,
        retry_for: timedelta = timedelta(hours=72),
        max_attempts: int | None = None,
        base_delay: float = 2.0,
        max_delay: float = 300.0,
        batch: int = 50,
        concurrency: int = 8,
        lease: timedelta = DEFAULT_LEASE,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
        deadlines: DeadlinePolicy | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._batch = batch
        self._concurrency = max(1, concurrency)
        self._lease = lease
        self._clock = clock
        self._wake = asyncio.Event()
        self._requests = RequestBuilder(gateway.adapter, clock, base_delay)
        self._sender = Sender(gateway)
        self._outcomes = OutcomeRecorder(
            uow_factory,
            gateway.adapter,
            deadlines or DeadlinePolicy(),
            RetryPolicy(retry_for, base_delay, max_delay, max_attempts),
            clock,
            jitter,
        )

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
        calls = await self._prepare_round(message_ids, held_until, lease_until)
        outcomes = await self._send_round(calls, lease_until)
        if outcomes:
            await self._outcomes.record(outcomes)
        return lease_until

    async def _prepare_round(
        self, message_ids: list[int], held_until: datetime, lease_until: datetime
    ) -> list[Call]:
        async with self._uow_factory() as uow:
            repo = uow.outbox
            ours = set(await repo.renew(message_ids, held_until, lease_until))
            messages = await repo.pending([i for i in message_ids if i in ours])
            steps, recorded = await self._requests.prepare(uow, messages)
            for ticket, context in recorded.values():
                # A callback recorded it while this create's outcome was unknown (a lost
                # reply, a crash): the clock starts now at the latest.
                self._outcomes.start_clock(ticket, context.report)
            for message, step in zip(messages, steps, strict=True):
                if isinstance(step, Skip):
                    self._outcomes.settle(message, step.status, step.reason)
                elif isinstance(step, Wait):  # not an attempt: no error, nothing counted
                    message.locked_until = None
                    message.next_attempt_at = max(message.next_attempt_at, step.until)
            await uow.commit()
            return [
                (m.id, m.kind, s)
                for m, s in zip(messages, steps, strict=True)
                if isinstance(s, TicketRequest | FollowUp)
            ]

    async def _send_round(self, calls: list[Call], lease_until: datetime) -> list[Outcome]:
        # No transaction is open during the calls: SQLite would hold its lock across the network.
        limit = asyncio.Semaphore(self._concurrency)
        # A call may take a minute (the adapters' timeouts): one started later could still be
        # on the wire when the claim runs out and another worker sends the message too.
        start_by = lease_until - self._lease / 5

        async def send(
            message_id: int, kind: str, call: TicketRequest | FollowUp
        ) -> list[Outcome]:
            async with limit:
                if self._clock() > start_by:
                    return []  # waited too long for a slot: left to the next claim
                return [await self._sender.send(message_id, kind, call)]

        async def send_creates(creates: list[tuple[int, TicketRequest]]) -> list[Outcome]:
            async with limit:
                if self._clock() > start_by:
                    return []
                return await self._sender.send_creates(creates)

        # A gateway that files several tickets per call gets the round's creates together;
        # those with photos (megabytes each) still go one by one, within the limit.
        creates = [
            (i, call)
            for i, _, call in calls
            if isinstance(call, TicketRequest) and not call.photos
        ]
        together = len(creates) > 1 and self._sender.batches
        batched = {i for i, _ in creates} if together else set()
        sending = [send(*call) for call in calls if call[0] not in batched]
        if together:
            sending.append(send_creates(creates))
        return [outcome for sent in await asyncio.gather(*sending) for outcome in sent]
