"""The callback route and the ticket update service, over real HTTP."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
from sqlalchemy import select
from yarl import URL

from protocol.signing import signed_headers
from storage.models import LabelledExample, Report, Ticket, TicketEvent
from storage.uow import UnitOfWorkFactory
from tests.hotline.conftest import (
    DEPUTY_TELEGRAM_ID,
    SECRET,
    Clock,
    FileReport,
    RecordingNotifier,
    StartIntake,
    make_worker,
)

EXTERNAL_ID = "T20250612-0001"


async def with_ticket(uow_factory: UnitOfWorkFactory, report_id: int) -> None:
    async with uow_factory() as uow:
        uow.session.add(
            Ticket(report_id=report_id, adapter="http", external_id=EXTERNAL_ID, status="已提交")
        )
        await uow.commit()


def event(event_id: str, status: str, occurred_at: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "ticket_id": EXTERNAL_ID,
        "report_number": "SY20250612-0001",
        "status": status,
        "note": None,
        "answer": None,
        "department_code": "ZJ",
        "operator": "话务员小王",
        "occurred_at": occurred_at,
        **extra,
    }


async def post(
    http: aiohttp.ClientSession,
    url: str,
    payload: dict[str, Any],
    *,
    secret: str = SECRET,
    now: float | None = None,
) -> int:
    body = json.dumps(payload, ensure_ascii=False).encode()
    key = str(payload.get("event_id") or "")
    signed = signed_headers(secret, "POST", URL(url).raw_path_qs, body, key=key, now=now)
    headers = {"Content-Type": "application/json", **signed}
    async with http.post(url, data=body, headers=headers) as response:
        return response.status


async def state(uow_factory: UnitOfWorkFactory) -> tuple[str, list[TicketEvent]]:
    async with uow_factory() as uow:
        report = await uow.session.scalar(select(Report))
        events = list(await uow.session.scalars(select(TicketEvent)))
        assert report is not None
        return report.status, events


async def test_bad_signature_or_old_timestamp_is_refused_and_changes_nothing(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    callback_url: str,
    http: aiohttp.ClientSession,
    notifier: RecordingNotifier,
) -> None:
    await with_ticket(seeded, await file_report())
    accepted = event("evt_1", "已受理", "2025-06-12T10:00:00+08:00", action="accept")

    assert await post(http, callback_url, accepted, secret="forged") == 401
    assert await post(http, callback_url, accepted, now=time.time() - 3600) == 401
    async with http.post(callback_url, json=accepted) as unsigned:
        assert unsigned.status == 401

    assert await state(seeded) == ("已提交", [])
    assert notifier.sent == []


async def test_a_redelivered_event_is_recorded_and_told_once(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    callback_url: str,
    http: aiohttp.ClientSession,
    notifier: RecordingNotifier,
) -> None:
    await with_ticket(seeded, await file_report())
    accepted = event("evt_1", "已受理", "2025-06-12T10:00:00+08:00", action="accept")

    assert await post(http, callback_url, accepted) == 200
    assert await post(http, callback_url, accepted) == 200

    status, events = await state(seeded)
    assert status == "已受理"
    assert len(events) == 1
    assert events[0].notified_at is not None
    assert len(notifier.sent) == 1


async def test_an_older_event_arriving_late_does_not_move_the_status_back(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    callback_url: str,
    http: aiohttp.ClientSession,
    notifier: RecordingNotifier,
) -> None:
    await with_ticket(seeded, await file_report())
    progress = event(
        "evt_2", "办理中", "2025-06-12T11:00:00+08:00", action="progress", note="已联系物业"
    )
    late_accept = event("evt_1", "已受理", "2025-06-12T10:00:00+08:00", action="accept")

    assert await post(http, callback_url, progress) == 200
    assert await post(http, callback_url, late_accept) == 200

    status, events = await state(seeded)
    assert status == "办理中"
    assert len(events) == 2  # the late one still joins the timeline
    assert len(notifier.sent) == 1
    assert "已联系物业" in notifier.sent[0][1]


async def test_an_unknown_ticket_is_answered_404_so_the_hotline_retries(
    seeded: UnitOfWorkFactory, callback_url: str, http: aiohttp.ClientSession
) -> None:
    payload = event("evt_9", "已受理", "2025-06-12T10:00:00+08:00", report_number="SY-NONE")
    assert await post(http, callback_url, payload) == 404


async def test_operator_accepts_and_answers_and_the_deputy_gets_the_answer(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    callback_url: str,
    http: aiohttp.ClientSession,
    notifier: RecordingNotifier,
    clock: Clock,
) -> None:
    await file_report()
    server = await start(callback_url=callback_url)
    assert await make_worker(seeded, http, server.base_url, clock).run_once() == 1
    async with seeded() as uow:
        ticket = await uow.session.scalar(select(Ticket))
        assert ticket is not None and ticket.external_id
    number = ticket.external_id

    await server.store.act(number, "accept", operator="话务员小王")
    await server.store.act(number, "dispatch", operator="话务员小王", department_code="ZJ")
    await server.store.act(
        number,
        "answer",
        operator="住建局",
        answer="已督促物业本周内修复电梯，费用由维修基金列支。",
    )
    async with asyncio.timeout(5):
        while len(notifier.sent) < 3:
            notifier.changed.clear()
            await notifier.changed.wait()
    assert (await state(seeded))[0] == "已答复"
    user, answer_text = notifier.sent[-1]
    assert user == DEPUTY_TELEGRAM_ID
    assert "已答复" in answer_text
    assert "SY20250612-0001" in answer_text
    assert "幸福小区电梯停运两个月" in answer_text
    assert "已督促物业本周内修复电梯" in answer_text
    async with seeded() as uow:
        ticket = await uow.session.get(Ticket, ticket.id)
        assert ticket is not None
        assert ticket.status == "已答复"
        assert ticket.accepted_at is not None and ticket.answered_at is not None


async def test_reroute_changes_the_department_and_teaches_the_classifier(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    callback_url: str,
    http: aiohttp.ClientSession,
    notifier: RecordingNotifier,
    clock: Clock,
) -> None:
    await file_report()
    server = await start(callback_url=callback_url)
    await make_worker(seeded, http, server.base_url, clock).run_once()
    async with seeded() as uow:
        ticket = await uow.session.scalar(select(Ticket))
        assert ticket is not None and ticket.external_id

    await server.store.act(
        ticket.external_id, "reroute", operator="派单员", department_code="CG", note="属城管职责"
    )
    async with asyncio.timeout(5):
        while not notifier.sent:
            notifier.changed.clear()
            await notifier.changed.wait()

    assert "邵阳市城市管理和综合执法局" in notifier.sent[0][1]
    assert "属城管职责" in notifier.sent[0][1]
    async with seeded() as uow:
        report = await uow.session.scalar(select(Report))
        dept = await uow.directory.department("CG")
        example = await uow.session.scalar(select(LabelledExample))
        assert report is not None and dept is not None and example is not None
        assert report.department_id == dept.id
        assert (example.department_code, example.source) == ("CG", "operator")


async def test_return_puts_the_report_back_into_triage(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    callback_url: str,
    http: aiohttp.ClientSession,
    notifier: RecordingNotifier,
) -> None:
    await with_ticket(seeded, await file_report())
    returned = event(
        "evt_1", "退回", "2025-06-12T10:00:00+08:00", action="return", note="不属于本市管辖"
    )
    assert await post(http, callback_url, returned) == 200
    assert (await state(seeded))[0] == "待人工分派"
    assert "不属于本市管辖" in notifier.sent[0][1]
