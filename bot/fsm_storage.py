"""Conversation state for aiogram kept in our database, so a restart resumes half-written drafts.

aiogram reads the state on every update; one polling process owns a bot's updates, so a
write-through cache in front of the table is consistent and saves a query per update."""

from __future__ import annotations

import copy
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmRecord

_Entry = tuple[str | None, dict[str, Any]]


def storage_key(key: StorageKey) -> str:
    parts = [key.bot_id, key.chat_id, key.user_id, key.thread_id or 0, key.destiny]
    if key.business_connection_id:
        parts.append(key.business_connection_id)
    return ":".join(str(part) for part in parts)


class SqlStorage(BaseStorage):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._cache: dict[str, _Entry] = {}
        self._complete = False  # True once every stored state is in the cache

    async def preload(self) -> None:
        """Reads every saved state (only users mid-draft have one), so that a key missing from
        the cache is known to have no state: first-time users then cost no query."""
        async with self._session_factory() as session:
            records = await session.scalars(select(FsmRecord))
            self._cache = {r.key: (r.state, dict(r.data)) for r in records}
        self._complete = True

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        _, data = await self._load(storage_key(key))
        await self._save(storage_key(key), value, data)

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self._load(storage_key(key))
        return state

    async def set_data(self, key: StorageKey, data: dict[str, Any]) -> None:  # type: ignore[override]
        state, _ = await self._load(storage_key(key))
        await self._save(storage_key(key), state, copy.deepcopy(dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        # A deep copy: handlers mutate what they get, and the cache must not change with it.
        _, data = await self._load(storage_key(key))
        return copy.deepcopy(data)

    async def close(self) -> None:
        self._cache.clear()

    async def _load(self, key: str) -> _Entry:
        entry = self._cache.get(key)
        if entry is None and self._complete:
            return (None, {})
        if entry is None:
            async with self._session_factory() as session:
                record = await session.get(FsmRecord, key)
            entry = (record.state, dict(record.data)) if record else (None, {})
            self._cache[key] = entry
        return entry

    async def _save(self, key: str, state: str | None, data: dict[str, Any]) -> None:
        if self._cache.get(key, (None, {})) == (state, data):
            return  # e.g. /start clearing a state that was never set: no write at all
        async with self._session_factory() as session:
            record = await session.get(FsmRecord, key)
            if state is None and not data:
                if record is not None:
                    await session.delete(record)
            elif record is None:
                session.add(FsmRecord(key=key, state=state, data=data))
            else:
                record.state, record.data = state, data
            await session.commit()
        if state is None and not data:
            self._cache.pop(key, None)
        else:
            self._cache[key] = (state, data)


def create_fsm_storage(
    redis_url: str | None, session_factory: async_sessionmaker[AsyncSession] | None
) -> BaseStorage:
    """Redis when configured (several processes), else our database, else memory (tests)."""
    if redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(redis_url)
    if session_factory is not None:
        return SqlStorage(session_factory)
    return MemoryStorage()
