"""Caches the console invalidates, invalidated on every instance.

Each instance keeps the identity snapshot (who is a verified deputy) and the router's
department directory in memory; an edit in the admin console reaches one instance. That one
changes its own cache and publishes the cache's name on a Redis channel; every other instance
listens and drops or rebuilds its copy. A message lost while an instance was cut off from
Redis costs at most the identity cache's TTL (60 s); everything is rebuilt on reconnecting."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)
CHANNEL = "deputy12345:invalidate"
Reaction = Callable[[], Awaitable[object] | None]


class CacheBus:
    def __init__(self, redis: Any | None, origin: str) -> None:
        self._redis = redis
        self._origin = origin
        self._reactions: dict[str, Reaction] = {}
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._stopping = False

    def on(self, cache: str, reaction: Reaction) -> None:
        self._reactions[cache] = reaction

    def announce(self, cache: str) -> None:
        """Tell the other instances (this one changed its own cache already)."""
        if self._redis is not None:
            task = asyncio.ensure_future(self._redis.publish(CHANNEL, f"{cache}|{self._origin}"))
            task.add_done_callback(_log_failure)

    async def start(self) -> None:
        if self._redis is not None and self._task is None:
            self._task = asyncio.create_task(self._listen())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._subscribed.wait(), timeout=5)

    async def stop(self) -> None:
        # Not task.cancel(): redis-py's pubsub can hang closing a cancelled reader.
        self._stopping = True
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._task, timeout=5)
            self._task = None

    async def _listen(self) -> None:
        assert self._redis is not None
        first = True
        while not self._stopping:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self._subscribed.set()
                    if not first:  # what was published while we were away: assume all
                        for cache in self._reactions:
                            self._react(cache)
                    first = False
                    while not self._stopping:
                        message = await pubsub.get_message(timeout=0.5)
                        if message is not None and message.get("type") == "message":
                            self._received(message["data"])
            except Exception as error:
                log.warning("cache invalidation channel lost (%s); reconnecting", error)
                self._subscribed.set()  # start() waits no longer
                await asyncio.sleep(1)

    def _received(self, data: bytes | str) -> None:
        text = data.decode() if isinstance(data, bytes) else data
        cache, _, origin = text.partition("|")
        if origin != self._origin:
            self._react(cache)

    def _react(self, cache: str) -> None:
        reaction = self._reactions.get(cache)
        if reaction is None:
            return
        log.info("cache %s invalidated", cache)
        result = reaction()
        if result is not None:
            task = asyncio.ensure_future(result)
            task.add_done_callback(_log_failure)


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("cache invalidation failed", exc_info=task.exception())
