"""Who a Telegram user is, remembered briefly so most updates need no database round trip.

Every update asks "is the sender a verified deputy?". Bind and unbind go through this process and
invalidate at once; the TTL bounds staleness for changes made elsewhere (CLI import, another
process)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services.deputies import DeputyView

_MISSING = object()


class IdentityCache:
    def __init__(self, ttl: float = 60.0, max_entries: int = 50_000) -> None:
        self._ttl = ttl
        self._max_entries = max_entries
        self._entries: dict[int, tuple[float, DeputyView | None]] = {}

    def get(self, telegram_user_id: int) -> DeputyView | object | None:
        """The cached deputy (None: known not to be one), or `MISSING` when unknown/expired."""
        entry = self._entries.get(telegram_user_id)
        if entry is None or entry[0] < time.monotonic():
            return _MISSING
        return entry[1]

    def put(self, telegram_user_id: int, deputy: DeputyView | None) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()  # crude but bounded; refills from the database on demand
        self._entries[telegram_user_id] = (time.monotonic() + self._ttl, deputy)

    def invalidate(self, telegram_user_id: int) -> None:
        self._entries.pop(telegram_user_id, None)

    def clear(self) -> None:
        self._entries.clear()


MISSING = _MISSING
