"""Danger first: any text or caption that describes an emergency is answered with the
110/119/120 advice at once, before whatever handles the message (in a report, a reason, an
address or outside any flow). The handler gets the finding as its `danger` parameter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject

from bot.services.reporting.safety import DangerCheck
from bot.texts import reports as rt

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DangerMiddleware(BaseMiddleware):
    """Inner middleware on messages: runs once the message found its handler."""

    def __init__(self, check: DangerCheck) -> None:
        self._check = check

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        danger = None
        if isinstance(event, Message):
            danger = self._check.emergency(event.text or event.caption)
            if danger is not None:
                await event.answer(rt.emergency_advice(danger))
        data["danger"] = danger
        return await handler(event, data)
