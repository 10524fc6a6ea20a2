"""Outbox delivery to the loopback reference intake: throughput and 确认提交 → ticket latency.

Throughput: N reports are queued, then `python -m bot worker` processes deliver them to a
`python -m intake` process (on SQLite one worker, SQLite has one writer; on PostgreSQL two,
sharing the queue with SKIP LOCKED; the intake uses the same kind of database). Each round's
creates go in one batch call (`POST /api/v1/tickets/batch`), as in production.
Latency: reports are filed one per transaction at a steady rate while an in-process worker
(woken by the commit, as inside `python -m bot`) delivers them; P50/P99 of created → delivered.
Capacity: two workers on PostgreSQL against a hotline that answers at once, i.e. what delivery
costs on our side when the intake and the database do not share the machine's cores."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import func, insert, select, update

from benchmarks.databases import databases
from bot.core.outbox import CreateTicket, encode, to_row
from bot.hotline.gateway import HotlineError, TicketReceipt, TicketRequest
from bot.hotline.http.adapter import HttpHotlineAdapter
from bot.hotline.outbox import OutboxWorker
from classifiers.directory import load_directory
from storage.base import utcnow
from storage.bootstrap import open_database
from storage.models import Department, Deputy, OutboxMessage, OutboxStatus, Report
from storage.uow import UnitOfWorkFactory

REPO_ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret"
BOT_AND_INTAKE = ("bot", "intake")  # our database and the intake's
THROUGHPUT_REPORTS = 5000
LATENCY_REPORTS = 400
LATENCY_RATE = 100  # reports per second while measuring latency
TEXT = "城西街道幸福小区3栋电梯停运两个月，物业不予维修，老人上下楼困难，请尽快协调处理。"


async def seed_reports(
    uow_factory: UnitOfWorkFactory, count: int, *, due_in: timedelta = timedelta()
) -> None:
    """The directory, a deputy and `count` filed reports, each with its pending create_ticket
    message (bulk inserts)."""
    codes = [d.code for d in load_directory().departments][:37]
    async with uow_factory() as uow:
        session = uow.session
        if not await session.scalar(select(func.count()).select_from(Department)):
            await session.execute(
                insert(Department), [{"code": c, "name": f"部门{c}"} for c in codes]
            )
        deputy_id = await session.scalar(
            insert(Deputy)
            .values(name="压测代表", phone=f"139{uuid.uuid4().int % 10**8:08d}", level="市")
            .returning(Deputy.id)
        )
        if not count:
            await uow.commit()
            return
        department_ids = list(await session.scalars(select(Department.id)))
        prefix = uuid.uuid4().hex[:6]
        report_ids = list(
            await session.scalars(
                insert(Report).returning(Report.id),
                [
                    {
                        "number": f"B{prefix}-{n:06d}",
                        "deputy_id": deputy_id,
                        "text": TEXT,
                        "summary": "幸福小区电梯停运",
                        "department_id": department_ids[n % len(department_ids)],
                    }
                    for n in range(count)
                ],
            )
        )
        due = utcnow() + due_in
        await session.execute(
            insert(OutboxMessage),
            [
                {
                    "kind": message.action,
                    "idempotency_key": message.key,
                    "report_id": message.report_id,
                    "payload": encode(message),
                    "next_attempt_at": due,
                }
                for message in map(CreateTicket, report_ids)
            ],
        )
        await uow.commit()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU a process has used so far (Linux /proc); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _spawn(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=REPO_ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING", **(env or {})},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


@asynccontextmanager
async def intake_process(db_url: str) -> AsyncIterator[tuple[str, int]]:
    """The intake's base URL and process id (for its CPU figure)."""
    port = _free_port()
    process = await _spawn("-m", "intake", "--port", str(port), "--db", db_url, "--secret", SECRET)
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                try:
                    async with http.get(f"{url}/api/v1/openapi.yaml") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        await process.wait()


async def _until_delivered(uow_factory: UnitOfWorkFactory, count: int) -> None:
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.DELIVERED)
    )
    async with asyncio.timeout(300):
        while True:
            async with uow_factory() as uow:
                if (await uow.session.scalar(query) or 0) >= count:
                    return
            await asyncio.sleep(0.05)


@dataclass(frozen=True)
class Throughput:
    tickets_per_second: float
    worker_cpu_ms: float | None  # per ticket, all worker processes together
    intake_cpu_ms: float | None  # per ticket, the intake process


async def throughput(our_url: str, intake_url: str, intake_pid: int, workers: int) -> Throughput:
    """Tickets per second, from the moment the queued messages fall due."""
    _, uow_factory = await open_database(our_url)
    await seed_reports(uow_factory, THROUGHPUT_REPORTS, due_in=timedelta(hours=1))
    env = {
        "DATABASE_URL": our_url,
        "HOTLINE_ADAPTER": "http",
        "HOTLINE_URL": intake_url,
        "HOTLINE_SECRET": SECRET,
        "OUTBOX_POLL_SECONDS": "0.05",
        "OUTBOX_BATCH": "100",
        "OUTBOX_CONCURRENCY": "16",
    }
    processes = [await _spawn("-m", "bot", "worker", env=env) for _ in range(workers)]
    pids = [intake_pid, *(p.pid for p in processes)]
    try:
        await asyncio.sleep(6)  # the workers' start-up is not what is measured
        before = [cpu_seconds(pid) for pid in pids]
        async with uow_factory() as uow:
            await uow.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
            await uow.commit()
        started = time.perf_counter()
        await _until_delivered(uow_factory, THROUGHPUT_REPORTS)
        elapsed = time.perf_counter() - started
        used = [_used(b, cpu_seconds(pid)) for b, pid in zip(before, pids, strict=True)]
        worker_cpu = None if None in used[1:] else sum(u or 0.0 for u in used[1:])
        return Throughput(
            THROUGHPUT_REPORTS / elapsed,
            _per_ticket(worker_cpu),
            _per_ticket(used[0]),
        )
    finally:
        for process in processes:
            process.terminate()
            await process.wait()


def _used(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def _per_ticket(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000 / THROUGHPUT_REPORTS


async def file_report(uow_factory: UnitOfWorkFactory, deputy_id: int, number: str) -> None:
    """What 确认提交 writes in its one transaction: the report and its ticket message."""
    async with uow_factory() as uow:
        department_id = await uow.session.scalar(select(Department.id).limit(1))
        report = Report(
            number=number,
            deputy_id=deputy_id,
            text=TEXT,
            summary="幸福小区电梯停运",
            department_id=department_id,
        )
        uow.session.add(report)
        await uow.session.flush()
        uow.outbox.add(to_row(CreateTicket(report.id)))
        await uow.commit()  # wakes the in-process worker


async def latency(our_url: str, intake_url: str) -> list[float]:
    """Milliseconds from 确认提交 (the report's commit) to the ticket recorded, per report."""
    engine, uow_factory = await open_database(our_url)
    await seed_reports(uow_factory, 0)  # the directory and a deputy
    async with uow_factory() as uow:
        deputy_id = await uow.session.scalar(select(Deputy.id))
    assert deputy_id is not None
    async with aiohttp.ClientSession() as http:
        worker = OutboxWorker(uow_factory, HttpHotlineAdapter(http, intake_url, SECRET))
        uow_factory.on_outbox = worker.wake
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run_forever(stop, 1.0))
        try:
            for n in range(LATENCY_REPORTS):
                await file_report(uow_factory, deputy_id, f"L{n:06d}")
                await asyncio.sleep(1 / LATENCY_RATE)
            await _until_delivered(uow_factory, LATENCY_REPORTS)
        finally:
            stop.set()
            await running
    async with uow_factory() as uow:
        rows = (await uow.session.execute(select(OutboxMessage))).scalars().all()
        waits = [
            (m.delivered_at - m.created_at).total_seconds() * 1000
            for m in rows
            if m.delivered_at is not None
        ]
    await engine.dispose()
    return waits


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run_backend(kind: str, workers: int) -> None:
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
    async with databases(kind, BOT_AND_INTAKE) as urls:
        if urls is None:
            return
        our_url, intake_db = urls
        async with intake_process(intake_db) as (intake_url, intake_pid):
            result = await throughput(our_url, intake_url, intake_pid, workers)
            print(
                f"  {label}: {result.tickets_per_second:,.0f} tickets/s delivered "
                f"({THROUGHPUT_REPORTS} reports, {workers} worker process(es), "
                f"{os.cpu_count()} CPU cores)"
            )
            if result.worker_cpu_ms is not None and result.intake_cpu_ms is not None:
                print(
                    f"    CPU per ticket: workers {result.worker_cpu_ms:.2f} ms, "
                    f"intake {result.intake_cpu_ms:.2f} ms (the database server not counted)"
                )
    async with databases(kind, BOT_AND_INTAKE) as urls:
        assert urls is not None
        our_url, intake_db = urls
        async with intake_process(intake_db) as (intake_url, _pid):
            waits = await latency(our_url, intake_url)
            print(
                f"  {label}: 确认提交 → ticket P50 {statistics.median(waits):.1f} ms, "
                f"P99 {_percentile(waits, 0.99):.1f} ms "
                f"({LATENCY_REPORTS} reports at {LATENCY_RATE}/s, in-process worker)"
            )


class InstantHotline:
    """A hotline that answers at once: what the workers alone can deliver."""

    adapter = "http"
    capabilities = HttpHotlineAdapter.capabilities

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        await asyncio.sleep(0)  # a round trip's yield, without its cost
        return TicketReceipt(external_id=f"T-{request.idempotency_key}", status="已提交")

    async def create_tickets(
        self, requests: Sequence[TicketRequest]
    ) -> list[TicketReceipt | HotlineError]:
        """As the http adapter: a round's creates in one call."""
        await asyncio.sleep(0)
        return [TicketReceipt(f"T-{r.idempotency_key}", "已提交") for r in requests]

    async def urge(self, external_id: str, note: str, idempotency_key: str) -> None: ...

    async def reopen(self, external_id: str, reason: str, idempotency_key: str) -> str:
        return ""

    async def reroute(
        self, external_id: str, department_code: str, note: str, idempotency_key: str
    ) -> None: ...

    async def withdraw(self, external_id: str, reason: str, idempotency_key: str) -> None: ...

    async def supervise(
        self, external_id: str, note: str, deadline: datetime, idempotency_key: str
    ) -> None: ...


async def worker_capacity(workers: int) -> None:
    """Two workers (separate connection pools) on PostgreSQL against an instant hotline."""
    async with databases("postgresql", BOT_AND_INTAKE) as urls:
        if urls is None:
            return
        engines, factories = [], []
        for _ in range(workers):
            engine, factory = await open_database(urls[0])
            engines.append(engine)
            factories.append(factory)
        await seed_reports(factories[0], THROUGHPUT_REPORTS)
        hotline = InstantHotline()
        delivering = [OutboxWorker(f, hotline, batch=100, concurrency=16) for f in factories]

        async def drain(worker: OutboxWorker) -> None:
            while await worker.run_once():
                pass

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(drain(worker) for worker in delivering))
        elapsed = time.perf_counter() - started
        print(
            f"  PostgreSQL, {workers} workers, no hotline: "
            f"{THROUGHPUT_REPORTS / elapsed:,.0f} messages/s, "
            f"{(time.process_time() - cpu) * 1000 / THROUGHPUT_REPORTS:.2f} ms CPU each "
            "(the workers' own capacity)"
        )
        for engine in engines:
            await engine.dispose()


async def main() -> None:
    print("Outbox delivery to the loopback reference intake (target: ≥ 1,000 tickets/s on")
    print("PostgreSQL with 2 workers)")
    await run_backend("sqlite", workers=1)
    await run_backend("postgresql", workers=2)
    await worker_capacity(workers=2)


if __name__ == "__main__":
    asyncio.run(main())
