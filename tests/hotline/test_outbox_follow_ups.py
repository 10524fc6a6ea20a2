"""The outbox worker's follow-ups of a ticket the hotline holds: 重办, 催办, 改派 and 撤回."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.hotline.gateway import TemporaryHotlineError, TicketReceipt, TicketRequest
from bot.hotline.http.adapter import HttpHotlineAdapter
from bot.hotline.outbox import OutboxWorker
from bot.services.reporting.history import ReportHistoryService, WithdrawOutcome
from bot.services.tickets.dead_letters import DeadLetterService
from storage.models import OutboxMessage, OutboxStatus, Report
from storage.uow import UnitOfWorkFactory
from tests.hotline.conftest import (
    SECRET,
    Clock,
    FileReport,
    StartIntake,
    bot_tickets,
    make_worker,
    outbox_messages,
    queue_follow_up,
)


async def _message(uow_factory: UnitOfWorkFactory, message_id: int) -> OutboxMessage:
    async with uow_factory() as uow:
        message = await uow.session.get(OutboxMessage, message_id)
        assert message is not None
        return message


async def _ticket_no(uow_factory: UnitOfWorkFactory) -> str:
    """The hotline's number of the first ticket the bot recorded."""
    tickets = await bot_tickets(uow_factory)
    assert tickets and tickets[0].external_id
    return tickets[0].external_id


async def test_reopen_and_urge_reach_the_ticket_at_the_intake(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    report_id = await file_report()
    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock)
    await worker.run_once()
    ticket_no = await _ticket_no(seeded)
    for action in ("accept", "dispatch"):
        await server.store.act(ticket_no, action, operator="op")
    urge = await queue_follow_up(seeded, report_id, "urge", note="人大代表催办")
    assert await worker.run_once() == 1
    await server.store.act(ticket_no, "answer", operator="op", answer="已修复")
    reopen = await queue_follow_up(seeded, report_id, "reopen", reason="电梯仍然停运")
    assert await worker.run_once() == 1

    assert (await _message(seeded, urge)).status == OutboxStatus.DELIVERED
    assert (await _message(seeded, reopen)).status == OutboxStatus.DELIVERED
    remote = await server.store.get(ticket_no)
    assert remote is not None
    assert (remote["status"], remote["reopen_count"]) == ("办理中", 1)
    actions = [(e["action"], e["note"]) for e in await server.store.events_for(remote["id"])]
    assert ("urge", "人大代表催办") in actions and ("reopen", "电梯仍然停运") in actions


async def test_a_follow_up_without_a_ticket_or_refused_by_the_hotline_is_dead(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock)
    early = await file_report()
    async with seeded() as uow:  # only the follow-up is queued: no ticket will exist
        for message in await uow.session.scalars(select(OutboxMessage)):
            message.status = OutboxStatus.CANCELLED
        await uow.commit()
    orphan = await queue_follow_up(seeded, early, "reopen", reason="x")
    await worker.run_once()
    dead = await _message(seeded, orphan)
    assert (dead.status, dead.last_error) == (OutboxStatus.DEAD, "report has no hotline ticket")

    answered_not = await file_report()
    await worker.run_once()  # its ticket is created; it is only 已提交 at the intake
    refused = await queue_follow_up(seeded, answered_not, "reopen", reason="不满意")
    await worker.run_once()
    message = await _message(seeded, refused)
    assert message.status == OutboxStatus.DEAD and "409" in (message.last_error or "")


async def test_an_admins_reroute_moves_the_ticket_to_the_new_department_at_the_intake(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    report_id = await file_report()
    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock)
    await worker.run_once()
    ticket_no = await _ticket_no(seeded)
    before = await server.store.get(ticket_no)
    assert before is not None
    target = next(code for code in ("CG", "ZJ") if code != before["department_code"])
    reroute = await queue_follow_up(
        seeded, report_id, "reroute", department_code=target, note="应由该部门办理"
    )
    assert await worker.run_once() == 1
    assert (await _message(seeded, reroute)).status == OutboxStatus.DELIVERED
    remote = await server.store.get(ticket_no)
    assert remote is not None
    assert (remote["status"], remote["department_code"]) == ("改派", target)
    events = await server.store.events_for(remote["id"])
    assert [(e["action"], e["operator"]) for e in events][-1] == ("reroute", "人大代表工委")


async def test_a_withdrawal_closes_the_unaccepted_ticket_at_the_intake(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    report_id = await file_report()
    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock)
    await worker.run_once()
    ticket_no = await _ticket_no(seeded)
    withdraw = await queue_follow_up(seeded, report_id, "withdraw", reason="代表已撤回")
    assert await worker.run_once() == 1
    assert (await _message(seeded, withdraw)).status == OutboxStatus.DELIVERED
    remote = await server.store.get(ticket_no)
    assert remote is not None and remote["status"] == "已撤回"
    # An accepted ticket can no longer be withdrawn: the hotline refuses, the letter is dead.
    second = await file_report()
    await worker.run_once()
    async with seeded() as uow:
        ticket = await uow.reports.ticket(second)
        assert ticket is not None and ticket.external_id
        second_no = ticket.external_id
    await server.store.act(second_no, "accept", operator="op")
    refused = await queue_follow_up(seeded, second, "withdraw", reason="代表已撤回")
    await worker.run_once()
    message = await _message(seeded, refused)
    assert message.status == OutboxStatus.DEAD and "409" in (message.last_error or "")


class WithdrawnInFlight(HttpHotlineAdapter):
    """The deputy presses 撤回 while the create is on the wire: sent, its reply not yet back."""

    def __init__(self, uow_factory: UnitOfWorkFactory, *args: Any) -> None:
        super().__init__(*args)
        self._uow_factory = uow_factory

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        receipt = await super().create_ticket(request)
        async with self._uow_factory() as uow:
            report = await uow.session.scalar(select(Report))
            assert report is not None
            outcome = await ReportHistoryService(uow).withdraw(report.deputy_id, report.id, "test")
            assert outcome == WithdrawOutcome.WITHDRAWN
        return receipt


async def test_a_report_withdrawn_while_its_ticket_is_being_created_is_withdrawn_there_too(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    await file_report()
    server = await start()
    racing = WithdrawnInFlight(seeded, http, server.base_url, SECRET)
    worker = OutboxWorker(seeded, racing, clock=clock)
    assert await worker.run_once() == 1  # the create: its ticket is recorded, 撤回 queued
    assert await worker.run_once() == 1  # the 撤回 reaches the hotline
    remote = await server.store.get(await _ticket_no(seeded))
    assert remote is not None and remote["status"] == "已撤回"
    statuses = sorted(m.status for m in await outbox_messages(seeded))
    assert statuses == [OutboxStatus.DELIVERED, OutboxStatus.DELIVERED]


class CallbackFirstThenWithdrawn(HttpHotlineAdapter):
    """The intake's 已提交 callback records the ticket before the create's reply is back, and
    the deputy presses 撤回 then: the bot already knows the ticket, so it queues the 撤回."""

    def __init__(self, uow_factory: UnitOfWorkFactory, *args: Any) -> None:
        super().__init__(*args)
        self._uow_factory = uow_factory

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        receipt = await super().create_ticket(request)
        for _ in range(200):
            if await bot_tickets(self._uow_factory):
                break
            await asyncio.sleep(0.02)
        async with self._uow_factory() as uow:
            report = await uow.session.scalar(select(Report))
            assert report is not None
            outcome = await ReportHistoryService(uow).withdraw(report.deputy_id, report.id, "test")
            assert outcome == WithdrawOutcome.WITHDRAWN
        return receipt


async def test_a_withdrawal_after_a_callback_recorded_the_ticket_is_queued_once(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    callback_url: str,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    await file_report()
    server = await start(callback_url)
    racing = CallbackFirstThenWithdrawn(seeded, http, server.base_url, SECRET)
    worker = OutboxWorker(seeded, racing, clock=clock)
    assert await worker.run_once() == 1  # the create's outcome is recorded
    assert await worker.run_once() == 1  # the deputy's 撤回 reaches the hotline
    remote = await server.store.get(await _ticket_no(seeded))
    assert remote is not None and remote["status"] == "已撤回"
    messages = await outbox_messages(seeded)
    assert [(m.kind, m.status) for m in messages] == [
        ("create_ticket", OutboxStatus.DELIVERED),
        ("withdraw", OutboxStatus.DELIVERED),
    ]


class FirstRerouteFails(HttpHotlineAdapter):
    """The intake answers the first 改派 with a 503; it is retried later."""

    failed = False

    async def reroute(
        self, external_id: str, department_code: str, note: str, idempotency_key: str
    ) -> None:
        if not self.failed:
            self.failed = True
            raise TemporaryHotlineError("HTTP 503: busy")
        await super().reroute(external_id, department_code, note, idempotency_key)


async def test_a_later_reroute_never_overtakes_an_earlier_one_that_is_being_retried(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    report_id = await file_report(department="ZJ")
    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock)
    await worker.run_once()
    for n, code in enumerate(("CG", "ZJ")):  # an admin corrects twice: to 城管, then back to 住建
        key = f"reroute-{report_id}-{n}"
        await queue_follow_up(
            seeded, report_id, "reroute", key=key, department_code=code, note="工委更正"
        )
    flaky = FirstRerouteFails(http, server.base_url, SECRET)
    worker = OutboxWorker(seeded, flaky, clock=clock, base_delay=1.0, jitter=lambda: 1.0)
    assert await worker.run_once() == 2
    to_cg, to_zj = (await outbox_messages(seeded))[1:]
    assert (to_cg.status, to_cg.attempts) == (OutboxStatus.PENDING, 1)
    assert (to_zj.status, to_zj.attempts) == (OutboxStatus.PENDING, 0)  # waits its turn
    clock.advance(2)
    assert await worker.run_once() == 2
    assert {m.status for m in await outbox_messages(seeded)} == {OutboxStatus.DELIVERED}
    remote = await server.store.get(await _ticket_no(seeded))
    assert remote is not None and remote["department_code"] == "ZJ"  # the admin's last word


class WithdrawnThenRefused(WithdrawnInFlight):
    """The deputy presses 撤回 while the create is on the wire; the intake then refuses it."""

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        async with self._uow_factory() as uow:
            report = await uow.session.scalar(select(Report))
            assert report is not None
            outcome = await ReportHistoryService(uow).withdraw(report.deputy_id, report.id, "test")
            assert outcome == WithdrawOutcome.WITHDRAWN
        return await HttpHotlineAdapter.create_ticket(self, request)


async def test_a_create_refused_after_its_report_was_withdrawn_is_no_dead_letter(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    await file_report()
    server = await start()
    refused = WithdrawnThenRefused(seeded, http, server.base_url, "wrong-secret")  # HTTP 401
    assert await OutboxWorker(seeded, refused, clock=clock).run_once() == 1
    [message] = await outbox_messages(seeded)
    # Nothing reached the hotline and nothing needs to: not a dead letter for an admin to retry.
    assert message.status == OutboxStatus.CANCELLED
    async with seeded() as uow:
        assert await DeadLetterService(uow, clock).letters() == []


async def test_a_urge_sent_twice_with_its_key_is_recorded_once_at_the_intake(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    """Two workers may both send a 催办 whose lease ran out mid-call: the key makes it one."""
    await file_report()
    server = await start()
    await make_worker(seeded, http, server.base_url, clock).run_once()
    ticket_no = await _ticket_no(seeded)
    adapter = HttpHotlineAdapter(http, server.base_url, SECRET)
    for _ in range(2):
        await adapter.urge(ticket_no, "人大代表催办", "urge-1-20261129")
    remote = await server.store.get(ticket_no)
    assert remote is not None
    urges = [e for e in await server.store.events_for(remote["id"]) if e["action"] == "urge"]
    assert len(urges) == 1
