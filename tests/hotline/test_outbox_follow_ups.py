"""The outbox worker's follow-ups of a ticket the hotline holds: 重办, 催办, 改派 and 撤回."""

from __future__ import annotations

from typing import Any

import aiohttp
from sqlalchemy import select

from bot.hotline.gateway import TicketReceipt, TicketRequest
from bot.hotline.http_adapter import HttpHotlineAdapter
from bot.hotline.outbox import OutboxWorker
from bot.services.report_history import ReportHistoryService, WithdrawOutcome
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
)


async def _queue(uow_factory: UnitOfWorkFactory, report_id: int, kind: str, **payload: str) -> int:
    async with uow_factory() as uow:
        message = OutboxMessage(
            kind=kind,
            idempotency_key=f"{kind}-{report_id}-1",
            report_id=report_id,
            payload=payload,
        )
        uow.session.add(message)
        await uow.commit()
        return message.id


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
    urge = await _queue(seeded, report_id, "urge", note="人大代表催办")
    assert await worker.run_once() == 1
    await server.store.act(ticket_no, "answer", operator="op", answer="已修复")
    reopen = await _queue(seeded, report_id, "reopen", reason="电梯仍然停运")
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
    orphan = await _queue(seeded, early, "reopen", reason="x")
    await worker.run_once()
    dead = await _message(seeded, orphan)
    assert (dead.status, dead.last_error) == (OutboxStatus.DEAD, "report has no hotline ticket")

    answered_not = await file_report()
    await worker.run_once()  # its ticket is created; it is only 已提交 at the intake
    refused = await _queue(seeded, answered_not, "reopen", reason="不满意")
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
    reroute = await _queue(
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
    withdraw = await _queue(seeded, report_id, "withdraw", reason="代表已撤回")
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
    refused = await _queue(seeded, second, "withdraw", reason="代表已撤回")
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
