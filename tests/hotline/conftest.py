"""Fixtures: the bot's database with one filed report, the reference intake on 127.0.0.1:0,
the bot's callback route on its own web app, and a controllable clock."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from PIL import Image
from sqlalchemy import func, select

from bot.hotline.http.adapter import HttpHotlineAdapter
from bot.hotline.http.callbacks import callback_routes
from bot.hotline.outbox import OutboxWorker
from intake import RunningIntake, start_intake
from intake.db import tickets as intake_tickets
from storage.base import utcnow
from storage.models import (
    Department,
    Deputy,
    OutboxMessage,
    Report,
    ReportPhoto,
    ReportStatus,
    Ticket,
)
from storage.uow import UnitOfWorkFactory
from tests.doubles import RecordingNotifier, serve

SECRET = "hotline-secret-测试"
DEPARTMENTS = [
    {"code": "ZJ", "name": "邵阳市住房和城乡建设局"},
    {"code": "CG", "name": "邵阳市城市管理和综合执法局"},
]
DEPUTY_TELEGRAM_ID = 700001


@dataclass
class Clock:
    # A minute ahead: messages filed during the test (stamped with the real time) are due.
    now: datetime = field(default_factory=lambda: utcnow() + timedelta(minutes=1))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
async def seeded(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    async with uow_factory() as uow:
        for row in DEPARTMENTS:
            uow.session.add(Department(code=row["code"], name=row["name"]))
        uow.session.add(
            Deputy(
                name="李代表",
                phone="13800000001",
                level="市",
                station="城西联络站",
                telegram_user_id=DEPUTY_TELEGRAM_ID,
            )
        )
        await uow.commit()
    return uow_factory


FileReport = Callable[..., Awaitable[int]]


@pytest.fixture
def file_report(seeded: UnitOfWorkFactory, tmp_path: Path) -> FileReport:
    """Writes what the report flow's 确认提交 writes: report, photo, outbox message."""
    counter = {"n": 0}

    async def file(*, department: str = "ZJ", photo: bool = False) -> int:
        counter["n"] += 1
        number = f"SY20250612-{counter['n']:04d}"
        async with seeded() as uow:
            dept = await uow.directory.department(department)
            deputy = await uow.session.scalar(select(Deputy))
            assert deputy is not None
            report = Report(
                number=number,
                deputy_id=deputy.id,
                text="城西街道幸福小区3栋电梯停运两个月，物业不予维修，老人上下楼困难。",
                summary="幸福小区电梯停运两个月",
                appeal_type="投诉",
                department_id=dept.id if dept else None,
                status=ReportStatus.SUBMITTED,
            )
            uow.session.add(report)
            await uow.session.flush()
            if photo:
                path = tmp_path / f"{number}.jpg"
                buffer = io.BytesIO()
                Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
                path.write_bytes(buffer.getvalue())
                uow.session.add(
                    ReportPhoto(
                        report_id=report.id,
                        telegram_file_id="f",
                        telegram_file_unique_id="u",
                        local_path=str(path),
                    )
                )
            uow.session.add(
                OutboxMessage(
                    kind="create_ticket",
                    idempotency_key=f"report-{report.id}",
                    report_id=report.id,
                    payload={"report_id": report.id},
                )
            )
            await uow.commit()
            return report.id

    return file


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def intake_db(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'intake.sqlite3'}"


StartIntake = Callable[..., Awaitable[RunningIntake]]


@pytest.fixture
async def start(intake_db: str) -> AsyncIterator[StartIntake]:
    """Starts (or restarts) the intake on the same database; closes what is left running."""
    running: list[RunningIntake] = []

    async def start_one(callback_url: str | None = None) -> RunningIntake:
        server = await start_intake(
            db_url=intake_db,
            secret=SECRET,
            callback_url=callback_url,
            departments=DEPARTMENTS,
            callback_backoff_base_s=0.05,
            callback_timeout_s=2.0,
        )
        running.append(server)
        return server

    yield start_one
    for server in running:
        if server.runner.server is not None:
            await server.close()


@pytest.fixture
async def callback_url(
    seeded: UnitOfWorkFactory, notifier: RecordingNotifier
) -> AsyncIterator[str]:
    app = web.Application()
    app.add_routes(callback_routes(seeded, SECRET, notifier))
    async with serve(app) as base_url:
        yield f"{base_url}/hotline/callback"


def make_worker(
    uow_factory: UnitOfWorkFactory,
    http: aiohttp.ClientSession,
    base_url: str,
    clock: Clock,
    *,
    max_attempts: int | None = None,
    retry_for: timedelta = timedelta(hours=72),
) -> OutboxWorker:
    """A worker whose back-off is exactly base * 2^(n-1) up to 300 s (jitter at its ceiling)."""
    adapter = HttpHotlineAdapter(http, base_url, SECRET)
    return OutboxWorker(
        uow_factory,
        adapter,
        max_attempts=max_attempts,
        retry_for=retry_for,
        base_delay=1.0,
        clock=clock,
        jitter=lambda: 1.0,
    )


async def intake_ticket_count(server: RunningIntake) -> int:
    async with server.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(intake_tickets)) or 0)


async def queue_follow_up(
    uow_factory: UnitOfWorkFactory, report_id: int, kind: str, /, *, key: str = "", **payload: str
) -> int:
    """Queues one follow-up (key `{kind}-{report_id}-1` unless given); returns its message id."""
    async with uow_factory() as uow:
        message = OutboxMessage(
            kind=kind,
            idempotency_key=key or f"{kind}-{report_id}-1",
            report_id=report_id,
            payload=payload,
        )
        uow.session.add(message)
        await uow.commit()
        return message.id


async def outbox_messages(uow_factory: UnitOfWorkFactory) -> list[OutboxMessage]:
    async with uow_factory() as uow:
        return list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def bot_tickets(uow_factory: UnitOfWorkFactory) -> list[Ticket]:
    """The tickets the bot recorded, oldest first."""
    async with uow_factory() as uow:
        return list(await uow.session.scalars(select(Ticket).order_by(Ticket.id)))
