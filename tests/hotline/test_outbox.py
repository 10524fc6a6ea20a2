"""The outbox worker against the reference intake over real HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.hotline.gateway import TemporaryHotlineError, TicketReceipt, TicketRequest
from bot.hotline.http.adapter import HttpHotlineAdapter
from bot.hotline.outbox import OutboxWorker
from bot.services.tickets.dead_letters import DeadLetterService
from storage.models import OutboxStatus
from storage.uow import UnitOfWorkFactory
from tests.hotline.conftest import (
    SECRET,
    Clock,
    FileReport,
    StartIntake,
    bot_tickets,
    intake_ticket_count,
    make_worker,
    outbox_messages,
    queue_follow_up,
)
from tests.hotline.doubles import CreateOnlyHotline


async def test_pending_message_becomes_exactly_one_ticket(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    report_id = await file_report(photo=True)
    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock)

    assert await worker.run_once() == 1
    assert await worker.run_once() == 0

    [ticket] = await bot_tickets(seeded)
    assert ticket.report_id == report_id
    assert ticket.adapter == "http"
    assert ticket.status == "已提交"
    remote = await server.store.get(ticket.external_id or "")
    assert remote is not None
    assert remote["idempotency_key"] == f"report-{report_id}"
    assert remote["department_code"] == "ZJ"
    assert remote["reporter_name"] == "李代表"
    assert len(remote["media"]) == 1  # the stored photo went along, base64
    [message] = await outbox_messages(seeded)
    assert message.status == OutboxStatus.DELIVERED
    assert message.attempts == 1
    assert message.delivered_at == clock.now
    assert await intake_ticket_count(server) == 1


async def test_intake_down_for_several_attempts_loses_and_duplicates_nothing(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    first, second = await file_report(), await file_report()
    down = await start()
    dead_url = down.base_url
    await down.close()  # the port now refuses connections
    worker = make_worker(seeded, http, dead_url, clock)

    for attempt in range(1, 4):
        assert await worker.run_once() == 2
        messages = await outbox_messages(seeded)
        assert {m.status for m in messages} == {OutboxStatus.PENDING}
        assert {m.attempts for m in messages} == {attempt}
        # Back-off with the jitter at its ceiling: 1 s, 2 s, 4 s.
        assert {m.next_attempt_at for m in messages} == {
            clock.now + timedelta(seconds=2 ** (attempt - 1))
        }
        assert all("ClientConnectorError" in (m.last_error or "") for m in messages)
        assert await worker.run_once() == 0  # not due yet
        clock.advance(2**attempt)

    server = await start()  # same database, new port
    worker = make_worker(seeded, http, server.base_url, clock)
    assert await worker.run_once() == 2

    assert {m.status for m in await outbox_messages(seeded)} == {OutboxStatus.DELIVERED}
    assert sorted(t.report_id for t in await bot_tickets(seeded)) == [first, second]
    assert await intake_ticket_count(server) == 2


async def test_an_outage_far_past_the_old_give_up_point_dead_letters_nothing(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    """Eight attempts from a 2 s base used to give up after about a minute; now the worker
    keeps trying, at most five minutes apart, for the whole retry window."""
    report_id = await file_report()
    down = await start()
    dead_url = down.base_url
    await down.close()
    worker = make_worker(seeded, http, dead_url, clock)
    for _ in range(50):  # about four hours of outage
        await worker.run_once()
        [message] = await outbox_messages(seeded)
        assert message.status == OutboxStatus.PENDING
        assert message.next_attempt_at - clock.now <= timedelta(seconds=300)  # the cap
        clock.advance(300)
    assert message.attempts == 50

    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock)
    assert await worker.run_once() == 1
    [message] = await outbox_messages(seeded)
    assert message.status == OutboxStatus.DELIVERED
    assert [t.report_id for t in await bot_tickets(seeded)] == [report_id]


async def test_a_message_still_failing_when_the_retry_window_ends_is_dead_lettered(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    await file_report()
    down = await start()
    dead_url = down.base_url
    await down.close()
    worker = make_worker(seeded, http, dead_url, clock, retry_for=timedelta(hours=1))
    while True:
        await worker.run_once()
        [message] = await outbox_messages(seeded)
        if message.status != OutboxStatus.PENDING:
            break
        assert message.next_attempt_at <= message.created_at + timedelta(hours=1)
        clock.now = max(clock.now, message.next_attempt_at)
    assert message.status == OutboxStatus.DEAD
    assert clock.now - message.created_at >= timedelta(hours=1)


async def test_after_max_attempts_the_message_is_dead_until_an_admin_retries_it(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    await file_report()
    down = await start()
    dead_url = down.base_url
    await down.close()
    worker = make_worker(seeded, http, dead_url, clock, max_attempts=2)
    await worker.run_once()
    clock.advance(60)
    await worker.run_once()
    [message] = await outbox_messages(seeded)
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 2
    clock.advance(3600)
    assert await worker.run_once() == 0  # dead letters stay put

    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock, max_attempts=2)
    async with seeded() as uow:  # the admin's 重试 on the dead-letters page
        assert await DeadLetterService(uow, clock).retry(actor="console:admin") == 1
    assert await worker.run_once() == 1
    [message] = await outbox_messages(seeded)
    assert message.status == OutboxStatus.DELIVERED
    assert len(await bot_tickets(seeded)) == 1


async def test_a_refused_request_is_dead_at_once(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    await file_report()
    server = await start()
    adapter = HttpHotlineAdapter(http, server.base_url, "wrong-secret")
    worker = OutboxWorker(seeded, adapter, clock=clock)

    assert await worker.run_once() == 1

    [message] = await outbox_messages(seeded)
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 1
    assert "HTTP 401" in (message.last_error or "")
    assert await bot_tickets(seeded) == []


class Crash(BaseException):
    """The process dying: nothing after it runs, nothing is committed."""


class CrashAfterSend(CreateOnlyHotline):
    def __init__(self, real: HttpHotlineAdapter) -> None:
        self.real = real
        self.adapter = real.adapter
        self.receipts: list[TicketReceipt] = []

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        self.receipts.append(await self.real.create_ticket(request))
        raise Crash


async def test_a_crash_between_send_and_commit_still_makes_one_ticket(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    await file_report()
    server = await start()
    crashing = CrashAfterSend(HttpHotlineAdapter(http, server.base_url, SECRET))
    with pytest.raises(Crash):
        await OutboxWorker(seeded, crashing, clock=clock).run_once()
    [message] = await outbox_messages(seeded)
    assert message.status == OutboxStatus.PENDING
    assert message.locked_until is not None
    assert await bot_tickets(seeded) == []

    worker = make_worker(seeded, http, server.base_url, clock)
    assert await worker.run_once() == 0  # the dead worker's claim still holds
    clock.advance(301)  # past the five-minute lease
    assert await worker.run_once() == 1

    [ticket] = await bot_tickets(seeded)
    assert ticket.external_id == crashing.receipts[0].external_id
    assert await intake_ticket_count(server) == 1
    [message] = await outbox_messages(seeded)
    assert message.status == OutboxStatus.DELIVERED


class HeldUrges(HttpHotlineAdapter):
    """Another worker's 催办 calls, held on the wire until the test lets them go."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def urge(self, external_id: str, note: str, idempotency_key: str) -> None:
        self.entered.set()
        await self.release.wait()
        await super().urge(external_id, note, idempotency_key)


class SlowFirstUrge(HttpHotlineAdapter):
    """The first 催办 hangs past the claim's lease; meanwhile another worker claims everything."""

    def __init__(self, clock: Clock, other: OutboxWorker, held: HeldUrges, *args: Any) -> None:
        super().__init__(*args)
        self._clock, self._other, self._held = clock, other, held
        self.other_pass: asyncio.Task[int] | None = None

    async def urge(self, external_id: str, note: str, idempotency_key: str) -> None:
        if note == "第一次催办":
            self._clock.advance(301)  # the five-minute lease has run out
            self.other_pass = asyncio.create_task(self._other.run_once())
            await self._held.entered.wait()  # the other worker has claimed and is sending
        await super().urge(external_id, note, idempotency_key)


async def test_a_round_that_outlives_its_lease_sends_nothing_another_worker_claimed(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    first, second = await file_report(), await file_report()
    server = await start()
    assert await make_worker(seeded, http, server.base_url, clock).run_once() == 2
    for report_id, note in (
        (first, "第一次催办"),
        (first, "第二次催办"),
        (second, "另一件催办"),
    ):
        await queue_follow_up(seeded, report_id, "urge", key=f"{note}-{report_id}", note=note)
    held = HeldUrges(http, server.base_url, SECRET)
    other = OutboxWorker(seeded, held, clock=clock)
    slow = SlowFirstUrge(clock, other, held, http, server.base_url, SECRET)
    # One call at a time: the other report's 催办 waits behind the slow one in the same round.
    worker = OutboxWorker(seeded, slow, clock=clock, concurrency=1)
    assert await worker.run_once() == 3
    held.release.set()
    assert slow.other_pass is not None and await slow.other_pass == 3

    notes = []
    for ticket in await bot_tickets(seeded):
        remote = await server.store.get(ticket.external_id or "")
        assert remote is not None
        notes += [e["note"] for e in await server.store.events_for(remote["id"])]
    # The slow 催办 was on the wire when its claim ran out: the other worker sent it again, and
    # its idempotency key made the intake record it once. No call was started after its claim
    # had been lost.
    assert [notes.count(n) for n in ("第一次催办", "第二次催办", "另一件催办")] == [1, 1, 1]
    assert {m.status for m in await outbox_messages(seeded)} == {OutboxStatus.DELIVERED}


class SlowUrge(HttpHotlineAdapter):
    def __init__(self, clock: Clock, seconds: float, *args: Any) -> None:
        super().__init__(*args)
        self._clock, self._seconds = clock, seconds

    async def urge(self, external_id: str, note: str, idempotency_key: str) -> None:
        self._clock.advance(self._seconds)
        await super().urge(external_id, note, idempotency_key)


async def test_a_slow_round_renews_the_claim_so_the_next_round_still_goes_out(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    report_id = await file_report()
    server = await start()
    assert await make_worker(seeded, http, server.base_url, clock).run_once() == 1
    for n in range(2):
        key = f"urge-{report_id}-{n}"
        await queue_follow_up(seeded, report_id, "urge", key=key, note="人大代表催办")
    # Each 催办 takes four of the lease's five minutes: the second is a round of its own.
    worker = OutboxWorker(seeded, SlowUrge(clock, 240, http, server.base_url, SECRET), clock=clock)
    assert await worker.run_once() == 2
    assert {m.status for m in await outbox_messages(seeded)} == {OutboxStatus.DELIVERED}


class CallbackFirst(HttpHotlineAdapter):
    """The intake's 已提交 callback records the ticket before the create's reply is back (in a
    round, the replies are recorded only once every call of the round has returned)."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, *args: Any, reply_lost: bool = False
    ) -> None:
        super().__init__(*args)
        self._uow_factory = uow_factory
        self._reply_lost = reply_lost

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        receipt = await super().create_ticket(request)
        for _ in range(200):
            if await bot_tickets(self._uow_factory):
                if self._reply_lost:  # the ticket was made, its reply timed out
                    raise TemporaryHotlineError("TimeoutError: reply lost")
                return receipt
            await asyncio.sleep(0.02)
        raise AssertionError("the callback never came")


async def test_a_ticket_a_callback_recorded_first_still_gets_its_deadlines(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    callback_url: str,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    await file_report()
    server = await start(callback_url)
    worker = OutboxWorker(
        seeded, CallbackFirst(seeded, http, server.base_url, SECRET), clock=clock
    )
    assert await worker.run_once() == 1
    [ticket] = await bot_tickets(seeded)
    assert ticket.external_id and ticket.adapter == "http"
    # 受理 within two working hours of delivery, handling within 13 working days (投诉).
    assert ticket.accept_due_at is not None and ticket.due_at is not None
    assert clock.now < ticket.accept_due_at < ticket.due_at
    assert [m.status for m in await outbox_messages(seeded)] == [OutboxStatus.DELIVERED]


async def test_a_ticket_whose_create_reply_was_lost_gets_its_deadlines_on_the_retry(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    callback_url: str,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    await file_report()
    server = await start(callback_url)
    lost = CallbackFirst(seeded, http, server.base_url, SECRET, reply_lost=True)
    assert await OutboxWorker(seeded, lost, clock=clock).run_once() == 1
    [message] = await outbox_messages(seeded)
    assert message.status == OutboxStatus.PENDING  # the worker does not know it got through
    clock.advance(600)
    assert await make_worker(seeded, http, server.base_url, clock).run_once() == 1
    [ticket] = await bot_tickets(seeded)  # the callback's, found instead of asked for again
    assert ticket.accept_due_at is not None and ticket.due_at is not None
    assert [m.status for m in await outbox_messages(seeded)] == [OutboxStatus.DELIVERED]
    assert await intake_ticket_count(server) == 1
