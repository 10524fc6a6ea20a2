"""`/healthz`, `/readyz` and `/metrics` on the bot's web app, for a load balancer and Prometheus.

- `/healthz`: the process answers (a liveness probe restarts it when this stops).
- `/readyz`: this instance can serve: the database answers and its schema is at the head this
  code expects (an instance started before `db upgrade` is not sent traffic), and Redis
  answers when REDIS_URL is set. 503 with the failing checks otherwise.
- `/metrics`: `bot.core.metrics` in Prometheus' text format, the outbox gauges read fresh."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core import metrics
from storage import migrate
from storage.base import utcnow
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 2.0  # a probe waits no longer than this per dependency
Ping = Callable[[], Awaitable[object]]


class Health:
    def __init__(
        self, engine: AsyncEngine, uow_factory: UnitOfWorkFactory, redis_ping: Ping | None
    ) -> None:
        self._engine = engine
        self._uow_factory = uow_factory
        self._redis_ping = redis_ping

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/healthz", self.alive),
            web.get("/readyz", self.ready),
            web.get("/metrics", self.metrics),
        ]

    async def alive(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def ready(self, request: web.Request) -> web.Response:
        checks = {"database": await self._check(self._database)}
        if self._redis_ping is not None:
            checks["redis"] = await self._check(self._redis_ping)
        ready = all(value == "ok" for value in checks.values())
        return web.json_response(
            {"status": "ready" if ready else "unready", "checks": checks},
            status=200 if ready else 503,
        )

    async def metrics(self, request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                async with self._uow_factory() as uow:
                    depth, oldest = await uow.outbox.queue()
            metrics.OUTBOX_DEPTH.set(depth)
            metrics.OUTBOX_OLDEST.set(_age(oldest))
        except Exception:  # the counters are still worth scraping when the database is away
            log.warning("outbox gauges not read", exc_info=True)
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": metrics.CONTENT_TYPE}
        )

    async def _database(self) -> None:
        revision = await migrate.current_revision(self._engine)
        if revision != migrate.HEAD_REVISION:
            raise RuntimeError(f"schema at {revision}, expected {migrate.HEAD_REVISION}")

    @staticmethod
    async def _check(probe: Ping) -> str:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await probe()
        except Exception as error:  # each failure is reported by name, never raised
            return f"failed: {type(error).__name__}: {error}"[:300]
        return "ok"


def _age(oldest: datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    now = utcnow()
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    return max((now - oldest).total_seconds(), 0.0)
