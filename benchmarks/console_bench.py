"""Statistics pages of the admin console over 100,000 tickets: render time over real HTTP.

A year of reports, tickets, events, ratings and routing decisions is seeded (bulk inserts,
benchmarks/statistics_seed.py) into a database brought to head by the migrations (so with the
indexes of 0006 and 0007), on SQLite and on PostgreSQL; the console runs on the bot's web app
on 127.0.0.1 and a signed-in viewer loads each page several times: computed afresh (the page's
one-minute cache emptied first, after the newest tickets changed, as in a live system: the 三率
month roll-up then recomputes this month) and as cached. The whole-year page is also loaded
with the roll-up emptied, so that it counts every month: what the console does once in the
background when it starts. Target: median < 300 ms.

    python -m benchmarks.console_bench            (also part of `python -m benchmarks`)"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import time
from datetime import UTC, datetime, timedelta

import aiohttp
from sqlalchemy import select, text, update

from benchmarks.databases import databases
from benchmarks.statistics_seed import SeedPlan, seed_statistics
from bot.config import Settings
from bot.services.console.auth import ConsoleAuthService
from bot.web import WebServer
from console import add_routes, stats_cache
from storage.bootstrap import open_database
from storage.models import Ticket
from storage.uow import UnitOfWorkFactory

TICKETS = int(os.environ.get("CONSOLE_BENCH_TICKETS", "100000"))
RENDERS = 9  # measured, after one warm-up render
TARGET_MS = 300
PASSWORD = "bench-password-42"
ONE_QUARTER = "/admin/statistics?department=B01&from=2026-07-01&to=2026-09-30"
WHOLE_YEAR = "/admin/statistics"
TOUCHED = 20  # tickets changed before each computed render
PAGES = [
    ("三率统计 (whole year)", WHOLE_YEAR),
    ("三率统计 (busiest department, one quarter)", ONE_QUARTER),
    ("代表履职", "/admin/statistics/deputies"),
    ("分派质量 (per week)", "/admin/quality?period=week"),
]


class _Notifier:
    async def notify(self, telegram_user_id: int, notice: object) -> None:
        """The statistics pages tell nobody anything."""


async def _sign_in(http: aiohttp.ClientSession, base: str) -> None:
    async with http.get(f"{base}/admin/login") as response:
        found = re.search(r'name="csrf_token" value="([^"]+)"', await response.text())
    assert found, "no CSRF field on the login page"
    form = {"username": "bench", "password": PASSWORD, "csrf_token": found.group(1)}
    async with http.post(f"{base}/admin/login", data=form) as response:
        assert str(response.url).endswith("/admin/"), "sign-in failed"


async def _render_ms(http: aiohttp.ClientSession, url: str) -> float:
    started = time.perf_counter()
    async with http.get(url) as response:
        body = await response.read()
        assert response.status == 200, body[:300]
    return (time.perf_counter() - started) * 1000


async def run_backend(kind: str) -> None:
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
    print(f"console statistics pages, {TICKETS:,} tickets, {label}:")
    async with databases(kind, ("console",)) as urls:
        if urls is None:
            return
        [url] = urls
        engine, uow_factory = await open_database(url)
        try:
            started = time.perf_counter()
            # A year up to a few minutes ago: the roll-up sees no write as recent but the bench's.
            seeded_until = datetime.now(UTC) - timedelta(minutes=10)
            await seed_statistics(engine, SeedPlan(tickets=TICKETS, now=seeded_until))
            if kind == "postgresql":
                async with engine.begin() as connection:  # fresh tables: give the planner stats
                    await connection.execute(text("ANALYZE"))
            print(f"  seeded in {time.perf_counter() - started:.1f} s")
            async with uow_factory() as uow:
                await ConsoleAuthService(uow).create_user("bench", PASSWORD, "viewer", actor="b")
            await _measure(uow_factory)
        finally:
            await engine.dispose()


async def _measure(uow_factory: UnitOfWorkFactory) -> None:
    server = WebServer("127.0.0.1", 0)
    add_routes(server.app, Settings(_env_file=None), uow_factory, _Notifier())
    await server.start()
    base = f"http://127.0.0.1:{server.port}"
    jar = aiohttp.CookieJar(unsafe=True)
    try:
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            await _sign_in(http, base)
            for title, path in PAGES:
                await _render_ms(http, base + path)  # warm-up: the first query plan
                started = []
                for _ in range(3 if path == WHOLE_YEAR else 0):
                    stats_cache.clear_all(rollups=True)  # every month counted again
                    started.append(await _render_ms(http, base + path))
                computed = []
                for _ in range(RENDERS):
                    await _touch_latest(uow_factory)  # a live system: this month keeps changing
                    stats_cache.clear_all()  # compute every figure again, as on a cold page
                    computed.append(await _render_ms(http, base + path))
                cached = [await _render_ms(http, base + path) for _ in range(RENDERS)]
                print(f"  {title}")
                if started:
                    _report("counting every month", started, target=False)
                _report("computed", computed)
                _report("cached (< 1 min old)", cached)
    finally:
        await server.stop()


async def _touch_latest(uow_factory: UnitOfWorkFactory) -> None:
    """What a minute of a live system writes: the newest tickets move on."""
    async with uow_factory() as uow:
        newest = select(Ticket.id).order_by(Ticket.id.desc()).limit(TOUCHED)
        await uow.session.execute(
            update(Ticket).where(Ticket.id.in_(newest)).values(escalated=False)
        )
        await uow.commit()


def _report(label: str, times: list[float], *, target: bool = True) -> None:
    median = statistics.median(times)
    verdict = ("ok" if median < TARGET_MS else "OVER") if target else "at start, in the background"
    print(
        f"    {label:<24} median {median:6.0f} ms   max {max(times):6.0f} ms"
        f"   ({f'target < {TARGET_MS} ms: ' if target else ''}{verdict})"
    )


async def main() -> None:
    for kind in ("sqlite", "postgresql"):
        await run_backend(kind)


if __name__ == "__main__":
    asyncio.run(main())
