"""What a scenario is judged by, read from where it happened: the bot's database (reports,
tickets, outbox), the intake's database (tickets it holds) and the emulator (what each deputy
was actually sent on Telegram)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.texts.notices import ARRIVED, DELAYED
from emulator.client import EmulatorClient
from storage.models import OutboxMessage, OutboxStatus, Report, Ticket
from storage.uow import UnitOfWorkFactory

NUMBER = re.compile(r"C[0-9a-f]{6}-\d{6}")
ACCEPTED = "已被 12345 热线受理"


@dataclass(frozen=True)
class Counts:
    queued: int
    delivered: int  # reports with their ticket recorded by the bot and held by the intake
    lost: int
    duplicated: int  # extra tickets (intake or bot) for one report
    dead: int
    max_attempts: int  # the most tries any message needed


async def delivery_counts(uow_factory: UnitOfWorkFactory, intake: AsyncEngine) -> Counts:
    async with uow_factory() as uow:
        session = uow.session
        numbers = set(await session.scalars(select(Report.number)))
        query = select(Report.number).join(Ticket, Ticket.report_id == Report.id)
        ticketed = list(await session.scalars(query))
        dead = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.DEAD)
        )
        attempts = await session.scalar(select(func.max(OutboxMessage.attempts)))
    async with intake.connect() as conn:
        held = list(
            (await conn.execute(text("SELECT report_number FROM intake_tickets"))).scalars()
        )
    at_intake, at_bot = Counter(held), Counter(ticketed)
    delivered = {n for n in numbers if at_intake[n] and at_bot[n]}
    extra = sum(c - 1 for c in at_intake.values() if c > 1)
    extra += sum(c - 1 for c in at_bot.values() if c > 1)
    return Counts(
        queued=len(numbers),
        delivered=len(delivered),
        lost=len(numbers - delivered),
        duplicated=extra,
        dead=int(dead or 0),
        max_attempts=int(attempts or 0),
    )


@dataclass(frozen=True)
class Notices:
    delayed: Counter[str]  # report number → 'safe, will be sent' notices
    arrived: Counter[str]  # report number → 'has arrived' notices
    accepted: Counter[str]  # report number → 已受理 notices


async def deputy_notices(emulator: EmulatorClient, chat_ids: list[int]) -> Notices:
    delayed: Counter[str] = Counter()
    arrived: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    for chat_id in chat_ids:
        messages = await emulator.call("GET", emulator.bot_path(f"/chats/{chat_id}/messages"))
        for message in messages:
            body = str(message.get("text") or "")
            found = NUMBER.search(body)
            if found is None:
                continue
            if DELAYED[:12] in body:
                delayed[found.group()] += 1
            if ARRIVED in body:
                arrived[found.group()] += 1
            if ACCEPTED in body:
                accepted[found.group()] += 1
    return Notices(delayed, arrived, accepted)
