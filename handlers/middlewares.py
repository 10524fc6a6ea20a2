"""Update middlewares: metrics, throttling, per-user order, one unit of work per update, the
services a handler asks for, and the deputy gate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User

from bot import texts
from bot.core import metrics
from bot.services.deputies.identity_cache import IdentityCache
from bot.services.deputies.verification import DeputyService
from handlers.common.keyboards import not_verified

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
# The wiring hands in storage's UnitOfWorkFactory: handlers never import storage themselves.
UnitOfWorkOpener = Callable[[], AbstractAsyncContextManager[Any]]


class UpdateMetricsMiddleware(BaseMiddleware):
    """Outermost: times every update and counts it under the handler that took it
    (`unhandled` when none did, `throttled` when it never got that far); an exception that
    escapes is counted as an error (and still raised, for aiogram's error handling)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        # A list, not a string: the inner middleware gets a copy of `data`, not `data` itself.
        name = data["handler_name"] = ["unhandled"]
        started = time.perf_counter()
        try:
            return await handler(event, data)
        except Exception:
            metrics.error("handler")
            raise
        finally:
            metrics.update_handled(name[0], time.perf_counter() - started)


class HandlerNameMiddleware(BaseMiddleware):
    """Inner (message, callback query): names the matched handler for the update's metrics,
    as `module.function` below `handlers.` (`reporting.flow.text.receive_text`)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        matched: HandlerObject | None = data.get("handler")
        name: list[str] | None = data.get("handler_name")
        if matched is not None and name is not None:
            callback = matched.callback
            module = getattr(callback, "__module__", "").removeprefix("handlers.")
            name[0] = f"{module}.{getattr(callback, '__name__', 'handler')}"
        return await handler(event, data)


class ThrottlingMiddleware(BaseMiddleware):
    """At most `rate` updates per user per `period` seconds; the first excess gets one warning."""

    def __init__(self, rate: int, period: float) -> None:
        self._rate = rate
        self._period = period
        self._windows: dict[int, tuple[float, int]] = {}  # user id → (window start, count)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        now = time.monotonic()
        start, count = self._windows.get(user.id, (now, 0))
        if now - start >= self._period:
            start, count = now, 0
        count += 1
        self._windows[user.id] = (start, count)
        if len(self._windows) > 10_000:
            self._forget_old(now)
        if count <= self._rate:
            return await handler(event, data)
        if count == self._rate + 1 and isinstance(event, Update):
            await _tell(event, data["bot"], texts.THROTTLED)
        return None

    def _forget_old(self, now: float) -> None:
        self._windows = {
            user_id: window
            for user_id, window in self._windows.items()
            if now - window[0] < self._period
        }


class PerUserOrderMiddleware(BaseMiddleware):
    """One update at a time per user (others run in parallel): an album's photos arrive as
    separate updates and must not overwrite each other's changes to the same draft."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # user id → (lock, users of it)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        lock, holders = self._locks.get(user.id, (asyncio.Lock(), 0))
        self._locks[user.id] = (lock, holders + 1)
        try:
            async with lock:
                return await handler(event, data)
        finally:
            lock, holders = self._locks[user.id]
            if holders == 1:
                del self._locks[user.id]
            else:
                self._locks[user.id] = (lock, holders - 1)


class UnitOfWorkMiddleware(BaseMiddleware):
    """Opens the update's unit of work and resolves the sender's deputy record once.

    Handlers receive `uow`, `deputies` (the DeputyService), `deputy` (DeputyView or None) and
    `deactivated` (the account is bound to a deputy the registry deactivated)."""

    def __init__(self, uow_factory: UnitOfWorkOpener, identities: IdentityCache) -> None:
        self._uow_factory = uow_factory
        self._identities = identities

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        async with self._uow_factory() as uow:
            deputies = DeputyService(uow, self._identities)
            data["uow"] = uow
            data["deputies"] = deputies
            data["deputy"] = await deputies.current(user.id) if user else None
            data["deactivated"] = user is not None and await deputies.deactivated(user.id)
            return await handler(event, data)


Provider = Callable[[dict[str, Any]], object]


class ServicesMiddleware(BaseMiddleware):
    """Inner middleware: hands a handler the services it names among its parameters, built on
    the update's unit of work (`async def h(message: Message, reports: ReportService)`). Only
    what the matched handler asks for is built; `providers` maps a parameter name to how."""

    def __init__(self, providers: Mapping[str, Provider]) -> None:
        self._providers = dict(providers)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        matched: HandlerObject | None = data.get("handler")
        for name in matched.params if matched is not None else ():
            make = self._providers.get(name)
            if make is not None and name not in data:
                data[name] = make(data)
        return await handler(event, data)


class DeputyRequiredMiddleware(BaseMiddleware):
    """Inner middleware for routers that only verified deputies may reach."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if data.get("deputy") is not None:
            return await handler(event, data)
        deactivated = bool(data.get("deactivated"))
        if isinstance(event, Message):
            text, keyboard = not_verified(deactivated)
            await event.answer(text, reply_markup=keyboard)
        elif isinstance(event, CallbackQuery):
            await event.answer(not_verified(deactivated)[0], show_alert=True)
        return None


async def _tell(update: Update, bot: Bot, text: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif update.message is not None:
        await bot.send_message(update.message.chat.id, text)
