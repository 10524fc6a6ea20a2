"""What instances of `python -m bot` share through Redis (REDIS_URL), built once at start-up.

- per-user order across processes: aiogram's `RedisEventIsolation` (a lock per chat and user,
  so an album's photos or a double tap never race, whichever instance gets them);
- each update handled once (webhook mode): `RedisSeenUpdates`;
- the singleton jobs' lease and the one-polling-process lease: `RedisLease`;
- cache invalidation: `CacheBus`.
Without Redis there is one instance: the in-process equivalents (or nothing) stand in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

from bot.config import Settings
from bot.ops.cache_bus import CacheBus
from bot.ops.dedup import MemorySeenUpdates, RedisSeenUpdates, SeenUpdates
from bot.ops.lease import RedisLease

# A handler holding a user's lock longer than this loses it (an instance that died holding it
# frees the user after this long); ours take well under a second.
USER_LOCK_SECONDS = 30.0
POLLING_LEASE_SECONDS = 30.0


class SecondPollerError(RuntimeError):
    def __init__(self, holder: str | None) -> None:
        super().__init__(
            f"另一个实例（{holder or '未知'}）正在以轮询方式使用同一个 BOT_TOKEN，本实例不启动："
            "多实例请设置 WEBHOOK_URL 与 WEBHOOK_SECRET（见 docs/operations.md）。"
        )


@dataclass
class SharedState:
    redis: Any | None
    events_isolation: BaseEventIsolation | None
    seen_updates: SeenUpdates | None
    jobs_lease: RedisLease | None
    bus: CacheBus
    instance: str
    ttl: float

    @classmethod
    def create(cls, settings: Settings, storage: BaseStorage, bot_id: int) -> SharedState:
        instance = settings.instance()
        redis = storage.redis if isinstance(storage, RedisStorage) else None
        seen: SeenUpdates | None = None
        if settings.webhook:
            seen = (
                RedisSeenUpdates(redis, bot_id, USER_LOCK_SECONDS - 2)
                if redis is not None
                else MemorySeenUpdates()
            )
        if redis is None:
            return cls(None, None, seen, None, CacheBus(None, instance), instance, 0)
        isolation = RedisEventIsolation(redis, lock_kwargs={"timeout": USER_LOCK_SECONDS})
        lease = RedisLease(redis, f"jobs:{bot_id}", instance, settings.job_lease_seconds)
        bus = CacheBus(redis, instance)
        return cls(redis, isolation, seen, lease, bus, instance, settings.job_lease_seconds)

    async def ping(self) -> None:
        assert self.redis is not None
        await self.redis.ping()

    async def start(self) -> None:
        await self.bus.start()
        if self.jobs_lease is not None:
            await self.jobs_lease.try_acquire()  # the first instance leads from its start
            self.jobs_lease.keep()

    async def claim_polling(self, bot_id: int) -> RedisLease | None:
        """The one polling process per token; raises SecondPollerError when another has it."""
        if self.redis is None:
            return None
        lease = RedisLease(self.redis, f"polling:{bot_id}", self.instance, POLLING_LEASE_SECONDS)
        if not await lease.try_acquire():
            raise SecondPollerError(await lease.holder_now())
        lease.keep()
        return lease

    async def close(self) -> None:
        await self.bus.stop()
        if self.jobs_lease is not None:
            await self.jobs_lease.release()
