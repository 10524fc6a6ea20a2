"""A lease in Redis: one holder at a time for a named duty, with a TTL, so that the duty moves
to another instance by itself when its holder dies (no release needed, none possible after
`kill -9` or a lost machine).

The holder renews every third of the TTL; anyone else tries as often and gets the lease once
the key has expired, so a dead holder's duty is taken over within TTL + TTL/3. The holder
believes it holds the lease only until its last renewal's TTL runs out, which is never after
the key expires in Redis: two instances never both believe they hold it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

log = logging.getLogger(__name__)

# Take the lease when free, or extend it when it is already ours; 1 when we hold it after.
_ACQUIRE = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('get', KEYS[1]) == ARGV[1] then
    redis.call('pexpire', KEYS[1], ARGV[2])
    return 1
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisLease:
    def __init__(self, redis: Any, name: str, holder: str, ttl: float) -> None:
        self._redis = redis
        self.key = f"deputy12345:lease:{name}"
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self._held_until = 0.0  # monotonic; we hold the lease until then
        self._task: asyncio.Task[None] | None = None
        self.changed = asyncio.Event()  # set whenever we gain or lose the lease

    @property
    def held(self) -> bool:
        return time.monotonic() < self._held_until

    async def try_acquire(self) -> bool:
        """Take or renew the lease once; whether we hold it now."""
        asked = time.monotonic()  # the TTL counts from before the call reached Redis
        was_held = self.held
        try:
            got = await self._redis.eval(_ACQUIRE, 1, self.key, self.holder, int(self.ttl * 1000))
        except Exception as error:  # Redis away: we cannot know, so we hold only what we had
            log.warning("lease %s not renewed: %s", self.name, error)
            got = 0
        if got:
            self._held_until = asked + self.ttl
        if self.held != was_held:
            log.info("lease %s %s by %s", self.name, "taken" if self.held else "lost", self.holder)
            self.changed.set()
        return self.held

    async def holder_now(self) -> str | None:
        value = await self._redis.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    def keep(self) -> None:
        """Renew (or keep trying for) the lease in the background until `release()`."""
        if self._task is None:
            self._task = asyncio.create_task(self._keep())

    async def _keep(self) -> None:
        while True:
            await self.try_acquire()
            await asyncio.sleep(self.ttl / 3)

    async def release(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.held:
            with contextlib.suppress(Exception):
                await self._redis.eval(_RELEASE, 1, self.key, self.holder)
        self._held_until = 0.0
