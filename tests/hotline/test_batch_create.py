"""A round's creates go to the intake in one batch call (`POST /api/v1/tickets/batch`), each
item with its own key and outcome; an intake without that endpoint gets one call per ticket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import aiohttp
import pytest
from aiohttp import web

from bot.hotline.gateway import PermanentHotlineError, Reporter, TicketReceipt, TicketRequest
from bot.hotline.http.adapter import BATCH_PATH, HttpHotlineAdapter
from intake import server as server_module
from storage.models import Department, OutboxStatus
from storage.uow import UnitOfWorkFactory
from tests.doubles import serve
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


@pytest.fixture
async def traced() -> AsyncIterator[tuple[aiohttp.ClientSession, list[str]]]:
    """A client session that lists the path of every request it sends."""
    paths: list[str] = []

    async def on_start(
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        paths.append(params.url.path)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        yield session, paths


async def test_a_rounds_creates_go_out_in_one_call(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    traced: tuple[aiohttp.ClientSession, list[str]],
    clock: Clock,
) -> None:
    http, paths = traced
    reports = [await file_report() for _ in range(4)] + [await file_report(photo=True)]
    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock)

    assert await worker.run_once() == 5

    # Four without photos in one batch; the one with a photo (a large body) on its own.
    assert sorted(paths) == sorted([BATCH_PATH, "/api/v1/tickets"])
    assert {m.status for m in await outbox_messages(seeded)} == {OutboxStatus.DELIVERED}
    tickets = await bot_tickets(seeded)
    assert sorted(t.report_id for t in tickets) == reports
    for ticket in tickets:
        remote = await server.store.get(ticket.external_id or "")
        assert remote is not None
        assert remote["idempotency_key"] == f"report-{ticket.report_id}"
    assert await intake_ticket_count(server) == 5


async def test_an_invalid_create_in_a_batch_is_dead_alone(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
) -> None:
    async with seeded() as uow:
        uow.session.add(Department(code="XX", name="外省某局"))  # unknown to the intake
        await uow.commit()
    good = [await file_report(), await file_report()]
    refused = await file_report(department="XX")
    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock)

    assert await worker.run_once() == 3

    by_report = {m.report_id: m for m in await outbox_messages(seeded)}
    assert by_report[refused].status == OutboxStatus.DEAD
    assert "unknown department XX" in (by_report[refused].last_error or "")
    assert {by_report[r].status for r in good} == {OutboxStatus.DELIVERED}
    assert sorted(t.report_id for t in await bot_tickets(seeded)) == good
    assert await intake_ticket_count(server) == 2


@pytest.fixture
async def single_create_intake() -> AsyncIterator[tuple[str, list[str]]]:
    """Another vendor's intake that knows only `POST /api/v1/tickets` (no batch endpoint)."""
    keys: list[str] = []

    async def create(request: web.Request) -> web.Response:
        body = await request.json()
        key = request.headers["Idempotency-Key"]
        keys.append(key)
        if body["department_code"] == "XX":
            return web.json_response({"error": "unknown department"}, status=422)
        return web.json_response({"ticket_id": f"T-{key}", "status": "已提交"}, status=201)

    app = web.Application()
    app.router.add_post("/api/v1/tickets", create)
    async with serve(app) as base_url:
        yield base_url, keys


def _request(key: str, department: str = "ZJ") -> TicketRequest:
    return TicketRequest(
        idempotency_key=key,
        report_number=f"SY-{key}",
        department_code=department,
        summary="电梯停运",
        text="幸福小区3栋电梯停运两个月。",
        appeal_type="投诉",
        urgency="一般",
        reporter=Reporter(name="李代表", phone="13800000001"),
    )


async def test_without_a_batch_endpoint_each_ticket_goes_on_its_own(
    single_create_intake: tuple[str, list[str]],
    traced: tuple[aiohttp.ClientSession, list[str]],
) -> None:
    url, keys = single_create_intake
    http, paths = traced
    adapter = HttpHotlineAdapter(http, url, SECRET)

    results = await adapter.create_tickets([_request("a"), _request("b", "XX"), _request("c")])

    assert results[0] == TicketReceipt(external_id="T-a", status="已提交")
    assert isinstance(results[1], PermanentHotlineError) and results[1].status == 422
    assert results[2] == TicketReceipt(external_id="T-c", status="已提交")
    assert sorted(keys) == ["a", "b", "c"]
    # Asked once; afterwards the adapter no longer tries the batch endpoint.
    results = await adapter.create_tickets([_request("d"), _request("e")])
    assert all(isinstance(r, TicketReceipt) for r in results)
    assert paths.count(BATCH_PATH) == 1
    assert paths.count("/api/v1/tickets") == 5


async def test_a_retried_batch_returns_the_same_tickets(
    start: StartIntake, http: aiohttp.ClientSession
) -> None:
    server = await start()
    adapter = HttpHotlineAdapter(http, server.base_url, SECRET)
    requests = [_request(f"k-{n}") for n in range(3)]

    first = await adapter.create_tickets(requests)
    again = await adapter.create_tickets(list(reversed(requests)))

    assert all(isinstance(r, TicketReceipt) for r in first)
    assert again == list(reversed(first))
    assert await intake_ticket_count(server) == 3


async def test_a_batch_too_large_for_the_intake_goes_one_by_one(
    start: StartIntake,
    traced: tuple[aiohttp.ClientSession, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An intake with a small body limit answers 413 to the batch: each create then goes
    alone (and the next batch is tried again), none is dead-lettered."""
    monkeypatch.setattr(server_module, "MAX_BODY", 800)  # one create fits, three do not
    server = await start()
    http, paths = traced
    adapter = HttpHotlineAdapter(http, server.base_url, SECRET)

    results = await adapter.create_tickets([_request(f"big-{n}") for n in range(3)])

    assert all(isinstance(r, TicketReceipt) for r in results)
    assert paths == [BATCH_PATH] + ["/api/v1/tickets"] * 3
    assert await intake_ticket_count(server) == 3
    await adapter.create_tickets([_request("big-3"), _request("big-4")])
    assert paths.count(BATCH_PATH) == 2
