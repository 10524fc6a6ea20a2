"""Which Telegram accounts are bound to active deputies (and which to deactivated ones, who
are told so rather than asked to verify): a snapshot of all of them in memory.

Every update asks "is the sender a verified deputy?". Deputies number in the thousands, so the
whole set is loaded in one query and refreshed every `ttl` seconds; bind and unbind (which go
through this process) update it at once. First-time visitors then cost no query at all."""

from __future__ import annotations

import time

from bot.services.deputies.view import DeputyView


class IdentityCache:
    def __init__(self, ttl: float = 60.0) -> None:
        self._ttl = ttl
        self._expires = 0.0
        self._bound: dict[int, DeputyView] = {}
        self._deactivated: frozenset[int] = frozenset()

    @property
    def fresh(self) -> bool:
        return time.monotonic() < self._expires

    def replace(self, bound: dict[int, DeputyView], deactivated: frozenset[int]) -> None:
        self._bound = bound
        self._deactivated = deactivated
        self._expires = time.monotonic() + self._ttl

    def get(self, telegram_user_id: int) -> DeputyView | None:
        return self._bound.get(telegram_user_id)

    def deactivated(self, telegram_user_id: int) -> bool:
        return telegram_user_id in self._deactivated

    def bound(self, telegram_user_id: int, deputy: DeputyView) -> None:
        self._bound[telegram_user_id] = deputy

    def unbound(self, telegram_user_id: int) -> None:
        self._bound.pop(telegram_user_id, None)

    def expire(self) -> None:
        """Forces a reload on the next lookup (after admin edits)."""
        self._expires = 0.0
