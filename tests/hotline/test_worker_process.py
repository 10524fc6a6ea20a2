"""`python -m bot worker` as a real process: killed with SIGKILL between the hotline's reply and
its own commit, a restarted worker makes no second ticket; SIGTERM stops it cleanly. And two
workers on PostgreSQL share one queue without delivering a message twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from benchmarks.outbox_bench import seed_reports
from bot.hotline.gateway import TicketReceipt, TicketRequest
from bot.hotline.outbox import OutboxWorker
from storage.bootstrap import open_database
from storage.models import OutboxMessage, OutboxStatus, Ticket
from storage.uow import UnitOfWorkFactory
from tests.hotline.conftest import SECRET, FileReport, StartIntake, intake_ticket_count
from tests.hotline.doubles import CreateOnlyHotline

REPO_ROOT = Path(__file__).resolve().parents[2]


class StallingProxy:
    """Between the worker and the intake: the first create reaches the intake, but its reply
    never comes back (the worker is killed while waiting); later requests pass through."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.forwarded = asyncio.Event()
        self._released = asyncio.Event()  # set at close: a stalled handler must not outlive us
        self.stall = True
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._http = aiohttp.ClientSession()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with self._http.request(
            request.method, self.target + request.path_qs, data=body, headers=headers
        ) as upstream:
            reply = await upstream.read()
            status = upstream.status
        if self.stall:
            self.forwarded.set()
            await self._released.wait()  # the ticket exists at the intake; the worker never hears
        return web.Response(body=reply, status=status, content_type="application/json")

    async def close(self) -> None:
        self._released.set()
        await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def proxy_for() -> AsyncIterator[list[StallingProxy]]:
    made: list[StallingProxy] = []
    yield made
    for proxy in made:
        await proxy.close()


async def _spawn_worker(database_url: str, hotline_url: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOTLINE_ADAPTER": "http",
        "HOTLINE_URL": hotline_url,
        "HOTLINE_SECRET": SECRET,
        "OUTBOX_LEASE_SECONDS": "1",
        "OUTBOX_POLL_SECONDS": "0.2",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "worker", cwd=REPO_ROOT, env=env
    )


async def _wait_for_ticket(uow_factory: UnitOfWorkFactory) -> Ticket:
    async with asyncio.timeout(60):  # a slow start-up on a busy machine, not a hang
        while True:
            async with uow_factory() as uow:
                ticket = await uow.session.scalar(select(Ticket))
            if ticket is not None:
                return ticket
            await asyncio.sleep(0.2)


async def test_a_worker_killed_before_it_records_the_ticket_makes_no_duplicate_on_restart(
    sqlite_url: str,
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    proxy_for: list[StallingProxy],
) -> None:
    await file_report()
    intake = await start()
    proxy = StallingProxy(intake.base_url)
    proxy_for.append(proxy)
    await proxy.start()

    first = await _spawn_worker(sqlite_url, proxy.url)
    try:
        await asyncio.wait_for(proxy.forwarded.wait(), timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    assert await intake_ticket_count(intake) == 1
    async with seeded() as uow:
        assert await uow.session.scalar(select(Ticket)) is None  # never acknowledged

    proxy.stall = False
    second = await _spawn_worker(sqlite_url, proxy.url)
    try:
        ticket = await _wait_for_ticket(seeded)
    finally:
        second.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(second.wait(), timeout=30)
    assert code == 0  # SIGTERM is a clean stop
    assert await intake_ticket_count(intake) == 1
    remote = await intake.store.get(ticket.external_id or "")
    assert remote is not None and remote["report_number"] == "SY20250612-0001"
    async with seeded() as uow:
        message = await uow.session.scalar(select(OutboxMessage))
        assert message is not None and message.status == OutboxStatus.DELIVERED


class CountingHotline(CreateOnlyHotline):
    """The hotline as two workers see it: it counts every create it is asked for."""

    def __init__(self) -> None:
        self.creates: list[str] = []

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        self.creates.append(request.idempotency_key)
        await asyncio.sleep(0.001)  # a network round trip: lets the other worker interleave
        return TicketReceipt(external_id=f"T-{request.idempotency_key}", status="已提交")


async def test_two_workers_on_postgresql_deliver_each_message_exactly_once(
    postgres_url: str,
) -> None:
    engines = []
    try:
        factories = []
        for _ in range(2):  # two engines: as separate as two processes' connection pools
            engine, factory = await open_database(postgres_url)
            engines.append(engine)
            factories.append(factory)
        await seed_reports(factories[0], 200)
        hotline = CountingHotline()
        workers = [OutboxWorker(f, hotline, batch=20, concurrency=4) for f in factories]

        async def drain(worker: OutboxWorker) -> None:
            while await worker.run_once():
                pass

        await asyncio.gather(*(drain(w) for w in workers))
        assert len(hotline.creates) == 200
        assert len(set(hotline.creates)) == 200
        async with factories[0]() as uow:
            statuses = list(await uow.session.scalars(select(OutboxMessage.status)))
            tickets = list(await uow.session.scalars(select(Ticket.external_id)))
        assert statuses == [OutboxStatus.DELIVERED] * 200
        assert len(tickets) == len(set(tickets)) == 200
    finally:
        for engine in engines:
            await engine.dispose()
