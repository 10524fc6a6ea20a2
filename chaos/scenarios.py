"""The chaos scenarios. Each starts a fresh cluster on fresh PostgreSQL databases, queues the
reports of `deputies` deputies (each with a Telegram chat in the emulator), lets the fault
happen while they are delivered, and waits until everything has drained.

- intake down: the intake is killed before the reports fall due and comes back after `outage_s`
- long outage: the same, for `long_outage_s`, far past the old give-up point (8 attempts)
- worker kill -9: each worker is killed once in the middle of delivery and started again
- both: the intake is down and both workers are killed during the outage and after it
- callback storm: every ticket is accepted at the intake, and each 受理 callback is also sent
  `storm` more times at once, signed, beside the intake's own delivery of it
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from yarl import URL

from benchmarks.databases import databases
from benchmarks.outbox_bench import TEXT, seed_reports
from bot.core.outbox import CreateTicket, encode
from chaos.cluster import BOT_ID, SECRET, Cluster, Timing
from chaos.measure import Counts, Notices, delivery_counts, deputy_notices
from emulator.client import EmulatorClient
from intake.departments import load_departments
from intake.store import TicketStore
from protocol.signing import signed_headers
from storage.base import utcnow
from storage.bootstrap import open_database
from storage.models import Deputy, OutboxMessage, OutboxStatus, Report
from storage.uow import UnitOfWorkFactory

FIRST_CHAT = 7_000_001


@dataclass(frozen=True)
class Plan:
    reports: int = 1000
    deputies: int = 50
    outage_s: float = 20.0
    long_outage_s: float = 45.0
    storm: int = 5  # extra copies of each callback
    drain_within_s: float = 300.0
    timing: Timing = field(default_factory=Timing)


@dataclass(frozen=True)
class Outcome:
    scenario: str
    counts: Counts
    drain_s: float  # from the reports falling due (or the storm starting) to the last arrival
    recovery_s: float | None  # from the end of the last fault to the last arrival
    notices: Notices
    expect_outage_notices: str  # "all" reports told of the delay, "some", or "" (no check)
    expect_accepted: bool
    notes: tuple[str, ...] = ()

    @property
    def notice_problems(self) -> list[str]:
        """What the deputies were told that they should not have been (empty: all well)."""
        n = self.notices
        problems = []
        if any(c > 1 for c in n.delayed.values()):
            problems.append("a report's delay was told twice")
        if any(c > 1 for c in n.arrived.values()):
            problems.append("a report's arrival was told twice")
        if set(n.arrived) != set(n.delayed):
            problems.append("arrivals do not match the delays told")
        wanted = self.counts.queued if self.expect_outage_notices == "all" else 1
        if self.expect_outage_notices and len(n.delayed) < wanted:
            problems.append(f"{len(n.delayed)} of {self.counts.queued} delays told")
        if self.expect_accepted and (
            len(n.accepted) != self.counts.queued or any(c > 1 for c in n.accepted.values())
        ):
            problems.append("受理 not told exactly once per report")
        return problems

    @property
    def ok(self) -> bool:
        c = self.counts
        return (
            c.lost == 0
            and c.duplicated == 0
            and c.dead == 0
            and c.delivered == c.queued
            and not self.notice_problems
        )


async def seed(uow_factory: UnitOfWorkFactory, plan: Plan) -> list[int]:
    """The directory, `deputies` deputies bound to Telegram chats, and their reports, each with
    its create_ticket message — due in an hour, until the scenario releases them."""
    await seed_reports(uow_factory, 0)  # the directory (and a deputy with no reports)
    chats = [FIRST_CHAT + n for n in range(plan.deputies)]
    prefix = uuid.uuid4().hex[:6]
    async with uow_factory() as uow:
        session = uow.session
        deputy_ids = list(
            await session.scalars(
                insert(Deputy).returning(Deputy.id),
                [
                    {
                        "name": f"代表{n}",
                        "phone": f"139{n:08d}",
                        "level": "市",
                        "telegram_user_id": chat,
                        "bound_at": utcnow(),
                    }
                    for n, chat in enumerate(chats)
                ],
            )
        )
        department_id = await session.scalar(text("SELECT min(id) FROM departments"))
        report_ids = list(
            await session.scalars(
                insert(Report).returning(Report.id),
                [
                    {
                        "number": f"C{prefix}-{n:06d}",
                        "deputy_id": deputy_ids[n % len(deputy_ids)],
                        "text": TEXT,
                        "summary": "幸福小区电梯停运",
                        "department_id": department_id,
                    }
                    for n in range(plan.reports)
                ],
            )
        )
        due = utcnow() + timedelta(hours=1)
        await session.execute(
            insert(OutboxMessage),
            [
                {
                    "kind": m.action,
                    "idempotency_key": m.key,
                    "report_id": m.report_id,
                    "payload": encode(m),
                    "next_attempt_at": due,
                }
                for m in map(CreateTicket, report_ids)
            ],
        )
        await uow.commit()
    return chats


async def release(uow_factory: UnitOfWorkFactory) -> None:
    """The queued reports fall due now (as if filed this moment); their retry window too."""
    async with uow_factory() as uow:
        now = utcnow()
        await uow.session.execute(
            update(OutboxMessage).values(next_attempt_at=now, created_at=now)
        )
        await uow.commit()


async def delivered(uow_factory: UnitOfWorkFactory) -> int:
    async with uow_factory() as uow:
        return int(
            await uow.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.DELIVERED)
            )
            or 0
        )


async def wait_until(check: Callable[[], Awaitable[bool]], within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.1)
    return False


@dataclass
class Run:
    """One scenario's cluster, databases and clients."""

    cluster: Cluster
    uow_factory: UnitOfWorkFactory
    intake_engine: AsyncEngine
    emulator: EmulatorClient
    chats: list[int]
    plan: Plan
    notes: list[str] = field(default_factory=list)  # printed under the table
    released_at: float = 0.0
    cleared_at: float | None = None  # when the last fault ended
    drained_at: float = 0.0

    async def release(self) -> None:
        await release(self.uow_factory)
        self.released_at = time.monotonic()

    def cleared(self) -> None:
        self.cleared_at = time.monotonic()

    async def all_delivered(self) -> bool:
        return await delivered(self.uow_factory) >= self.plan.reports

    async def delivered_at_least(self, share: float) -> None:
        target = int(self.plan.reports * share)
        await wait_until(lambda: _at_least(self.uow_factory, target), self.plan.drain_within_s)

    async def drain(self) -> None:
        await wait_until(self.all_delivered, self.plan.drain_within_s)
        self.drained_at = time.monotonic()

    async def settle_notices(self, expect_outage: str) -> Notices:
        """Waits (a little) until every delay told has its arrival told too."""
        notices = await deputy_notices(self.emulator, self.chats)

        async def settled() -> bool:
            nonlocal notices
            notices = await deputy_notices(self.emulator, self.chats)
            enough = expect_outage != "all" or len(notices.delayed) >= self.plan.reports
            return enough and set(notices.arrived) >= set(notices.delayed)

        await wait_until(settled, 60)
        await asyncio.sleep(2 * self.plan.timing.watch_every_s)  # a duplicate would show now
        return await deputy_notices(self.emulator, self.chats)


async def _at_least(uow_factory: UnitOfWorkFactory, target: int) -> bool:
    return await delivered(uow_factory) >= target


async def _outage(run: Run, seconds: float, *, kill_workers: bool) -> None:
    cluster = run.cluster
    await cluster.kill("intake")
    await run.release()
    down_until = time.monotonic() + seconds
    if kill_workers:
        await asyncio.sleep(seconds / 3)
        await cluster.kill("worker-1")  # mid-retry, leases held
        await asyncio.sleep(1)
        await cluster.start("worker-1")
    await asyncio.sleep(max(0.0, down_until - time.monotonic()))
    await cluster.start("intake")
    run.cleared()
    if kill_workers:
        await run.delivered_at_least(0.3)
        await cluster.kill("worker-2")  # mid-delivery after the outage
        await asyncio.sleep(1)
        await cluster.start("worker-2")
        run.cleared()
    await run.drain()


async def intake_down(run: Run) -> None:
    await _outage(run, run.plan.outage_s, kill_workers=False)


async def long_outage(run: Run) -> None:
    await _outage(run, run.plan.long_outage_s, kill_workers=False)


async def both(run: Run) -> None:
    await _outage(run, run.plan.outage_s, kill_workers=True)


async def worker_kill(run: Run) -> None:
    cluster = run.cluster
    await run.release()
    restarts = []
    for name, share in (("worker-1", 0.2), ("worker-2", 0.5)):
        await run.delivered_at_least(share)
        await cluster.kill(name)  # SIGKILL in the middle of delivery, leases held
        restarts.append(asyncio.create_task(cluster.start(name)))  # back in a few seconds
    await asyncio.gather(*restarts)
    run.cleared()
    await run.drain()


async def callback_storm(run: Run) -> None:
    """Deliver, then 受理 every ticket at the intake and storm the bot with copies of each
    受理 callback; drained when every report's ticket is 已受理 on the bot's side."""
    await run.release()
    await run.drain()
    intake_engine = run.intake_engine
    store = TicketStore(
        intake_engine, load_departments(None), run.cluster.logs / "media", callbacks_enabled=True
    )
    async with intake_engine.connect() as conn:
        rows = await conn.execute(text("SELECT ticket_no FROM intake_tickets"))
        numbers = list(rows.scalars())
    run.released_at = time.monotonic()  # from here on the storm is what is timed
    for start in range(0, len(numbers), 50):  # the intake process delivers these itself
        await asyncio.gather(
            *(store.act(n, "accept", operator="话务员") for n in numbers[start : start + 50])
        )
    async with intake_engine.connect() as conn:
        payloads = list(
            (
                await conn.execute(
                    text("SELECT payload FROM intake_callbacks WHERE payload LIKE :a"),
                    {"a": '%"action": "accept"%'},
                )
            ).scalars()
        )
    url = run.cluster.callback_url
    path = URL(url).raw_path_qs
    async with aiohttp.ClientSession() as http:
        answers: Counter[str] = Counter()

        async def send(body: bytes, event_id: str) -> None:
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "X-Event-Id": event_id,
                **signed_headers(SECRET, "POST", path, body, key=event_id),
            }
            try:
                async with http.post(url, data=body, headers=headers) as response:
                    await response.read()
                    answers[str(response.status)] += 1
            except aiohttp.ClientError as error:  # the intake still retries its own copy
                answers[type(error).__name__] += 1

        copies: list[Awaitable[None]] = []
        for payload in payloads:
            body = payload.encode()
            event_id = json.loads(payload)["event_id"]
            copies.extend(send(body, event_id) for _ in range(run.plan.storm))
        for start in range(0, len(copies), 200):
            await asyncio.gather(*copies[start : start + 200])
    said = ", ".join(f"{k}: {v}" for k, v in sorted(answers.items()))
    run.notes.append(
        f"callback storm: {len(payloads)} 受理 callbacks, {len(copies)} extra copies ({said})"
    )

    async def all_accepted() -> bool:
        async with run.uow_factory() as uow:
            count = await uow.session.scalar(
                select(func.count()).select_from(Report).where(Report.status == "已受理")
            )
        return int(count or 0) >= run.plan.reports

    await wait_until(all_accepted, run.plan.drain_within_s)
    run.drained_at = time.monotonic()


SCENARIOS: dict[str, tuple[str, Callable[[Run], Awaitable[None]], str, bool]] = {
    # key: (label, scenario, deputies told of the outage: all/some/no check, 受理 told?)
    "intake-down": ("intake down {outage} s", intake_down, "some", False),
    "long-outage": ("intake down {long} s (past the old give-up)", long_outage, "all", False),
    "worker-kill": ("worker kill -9 mid-delivery", worker_kill, "", False),
    "both": ("intake down {outage} s + workers kill -9", both, "some", False),
    "callback-storm": ("duplicate callback storm", callback_storm, "", True),
}


async def run_scenario(key: str, plan: Plan, logs: Path) -> Outcome | None:
    """One scenario on fresh databases; None when PostgreSQL is unreachable."""
    label, scenario, outage, accepted = SCENARIOS[key]
    label = label.format(outage=f"{plan.outage_s:g}", long=f"{plan.long_outage_s:g}")
    async with databases("postgresql", ("bot", "intake")) as urls:
        if urls is None:
            return None
        bot_db, intake_db = urls
        engine, uow_factory = await open_database(bot_db)
        intake_engine = create_async_engine(intake_db)
        folder = logs / key
        folder.mkdir(parents=True, exist_ok=True)
        cluster = Cluster(bot_db, intake_db, folder, plan.timing)
        emulator = EmulatorClient(cluster.emulator_url, BOT_ID)
        try:
            chats = await seed(uow_factory, plan)
            await cluster.start("emulator")
            await emulator.register_bot()
            for chat in chats:  # each deputy has written to the bot: a chat to be told in
                await emulator.user(chat, f"代表{chat}").send_text("你好")
            await cluster.start()
            run = Run(cluster, uow_factory, intake_engine, emulator, chats, plan)
            await scenario(run)
            await wait_until(lambda: _callbacks_done(intake_engine), 60)
            counts = await delivery_counts(uow_factory, intake_engine)
            notices = await run.settle_notices(outage)
            notes = tuple(run.notes)
            drain_s = run.drained_at - run.released_at
            cleared = run.cleared_at
            recovery = None if cleared is None else max(0.0, run.drained_at - cleared)
            return Outcome(label, counts, drain_s, recovery, notices, outage, accepted, notes)
        finally:
            await cluster.close()
            await emulator.close()
            await intake_engine.dispose()
            await engine.dispose()


async def _callbacks_done(intake_engine: AsyncEngine) -> bool:
    """The intake has delivered every callback it queued (the bot knows what it holds)."""
    async with intake_engine.connect() as conn:
        waiting = await conn.execute(
            text("SELECT count(*) FROM intake_callbacks WHERE NOT delivered AND NOT gave_up")
        )
        return not waiting.scalar()
