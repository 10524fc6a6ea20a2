"""Each `update_id` handled once, whichever instance it reaches and however often it comes.

Telegram delivers a webhook update again when the answer is late or not 2xx, and may send the
retry to another instance behind the balancer. This middleware runs inside aiogram's event
isolation (the per-user Redis lock), so a retry of an update still in hand waits for it and
then finds it done. The claim is two-step: `processing` with a TTL shorter than the user lock,
then `done` for a day; an instance killed mid-update leaves only the short claim, which has
expired by the time the retry gets the user's lock, so that retry is handled, not dropped."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.core import metrics

log = logging.getLogger(__name__)
DONE_SECONDS = 24 * 3600  # Telegram gives up on an update long before a day
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class SeenUpdates(Protocol):
    async def claim(self, update_id: int) -> bool:
        """True when this caller is to handle the update (nobody did or is doing it)."""

    async def done(self, update_id: int) -> None: ...

    async def release(self, update_id: int) -> None:
        """The handling failed: a retry may try again."""


class RedisSeenUpdates:
    def __init__(self, redis: Any, bot_id: int, claim_seconds: float) -> None:
        self._redis = redis
        self._prefix = f"deputy12345:update:{bot_id}:"
        self._claim_ms = max(int(claim_seconds * 1000), 1000)

    async def claim(self, update_id: int) -> bool:
        key = self._prefix + str(update_id)
        return bool(await self._redis.set(key, "processing", nx=True, px=self._claim_ms))

    async def done(self, update_id: int) -> None:
        await self._redis.set(self._prefix + str(update_id), "done", ex=DONE_SECONDS)

    async def release(self, update_id: int) -> None:
        await self._redis.delete(self._prefix + str(update_id))


class MemorySeenUpdates:
    """One process: the last `size` update ids (a webhook retry comes within minutes)."""

    def __init__(self, size: int = 100_000) -> None:
        self._size = size
        self._seen: OrderedDict[int, bool] = OrderedDict()

    async def claim(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = False
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True

    async def done(self, update_id: int) -> None:
        self._seen[update_id] = True

    async def release(self, update_id: int) -> None:
        self._seen.pop(update_id, None)


class DedupMiddleware(BaseMiddleware):
    """Outer update middleware, registered after aiogram's FSM middleware (which holds the
    per-user isolation lock around everything registered after it)."""

    def __init__(self, seen: SeenUpdates) -> None:
        self._seen = seen

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        if not await self._seen.claim(event.update_id):
            metrics.duplicate_update()
            log.info("update %s delivered again: already handled", event.update_id)
            return None
        try:
            result = await handler(event, data)
        except BaseException:
            await self._seen.release(event.update_id)
            raise
        await self._seen.done(event.update_id)
        return result
