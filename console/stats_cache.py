"""Computed statistics kept for a minute, per console (per database).

The 三率 of a whole year scan every ticket (a few hundred ms at 100,000 tickets on SQLite); a
minute-old figure is fresh enough for a dashboard, so a page reloaded, filtered back and forth
or downloaded right after being read costs nothing — and the download shows exactly the figures
the page showed. The page prints when its figures were computed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from aiohttp import web

from bot.core.clock import CHINA_TIME
from bot.services.statistics.rollup import TicketRollup
from bot.services.statistics.three_rates import StatisticsService
from console.context import CONSOLE, context
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

T = TypeVar("T")
TTL_SECONDS = 60.0
MAX_ENTRIES = 64  # filters in use at once; the oldest is dropped first


class TtlCache:
    def __init__(
        self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> tuple[datetime, T]:
        """(when it was computed, the value): a fresh one, or what `compute` gives now."""
        now = self._clock()
        found = self._entries.get(key)
        if found is not None and now - found[0] < self._ttl:
            stamped: tuple[datetime, T] = found[1]
            return stamped
        stamped = (datetime.now(CHINA_TIME), await compute())
        self._entries[key] = (now, stamped)
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
        return stamped

    def clear(self) -> None:
        self._entries.clear()


# One cache per console app, keyed by its unit-of-work factory (one per database); weak, so a
# stopped console (in tests, many) leaves nothing behind. Likewise the 三率 month roll-up.
_caches: WeakKeyDictionary[object, TtlCache] = WeakKeyDictionary()
_rollups: WeakKeyDictionary[object, TicketRollup] = WeakKeyDictionary()


def rollup_for(request: web.Request) -> TicketRollup:
    return rollup_of(context(request).uow_factory)


def rollup_of(uow_factory: UnitOfWorkFactory) -> TicketRollup:
    found = _rollups.get(uow_factory)
    if found is None:
        found = _rollups[uow_factory] = TicketRollup()
    return found


async def warm_rollup(console: web.Application) -> AsyncIterator[None]:
    """Counts the 三率 months in the background while the console starts (a cleanup context),
    so the first statistics view after a start does not scan every ticket itself."""

    async def count() -> None:
        # Long on a big database: say it started and when it is done (the 三率 pages wait).
        log.info("statistics roll-up: counting every month of tickets in the background…")
        started = time.monotonic()
        try:
            async with uow_factory() as uow:
                rollup = rollup_of(uow_factory)
                await StatisticsService(uow, rollup).warm_up()
        except Exception:  # the first view then counts them itself
            log.exception("counting the statistics roll-up at start failed")
            return
        log.info(
            "statistics roll-up: %d months counted in %.1f s",
            len(rollup.months),
            time.monotonic() - started,
        )

    uow_factory = console[CONSOLE].uow_factory
    task = asyncio.create_task(count())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def cache_for(request: web.Request) -> TtlCache:
    factory = context(request).uow_factory
    found = _caches.get(factory)
    if found is None:
        found = _caches[factory] = TtlCache()
    return found


def clear_all(*, rollups: bool = False) -> None:
    """Forget every computed page (the benchmark measures computing them); with `rollups`
    the month roll-ups too, as in a process that has just started."""
    for cache in list(_caches.values()):
        cache.clear()
    if rollups:
        _rollups.clear()
