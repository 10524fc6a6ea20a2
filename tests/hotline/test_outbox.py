"""The outbox worker against the reference intake over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest

from bot.hotline.gateway import TicketReceipt, TicketRequest
from bot.hotline.http_adapter import HttpHotlineAdapter
from bot.hotline.outbox import OutboxWorker
from bot.services.dead_letters import DeadLetterService
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
