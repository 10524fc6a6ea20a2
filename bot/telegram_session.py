"""The bot's HTTP session to the Bot API, tolerant of servers that are not Telegram.

Bot API mocks and self-hosted servers deviate from Telegram in small ways (telegram-test-api
4.2.1 omits `is_bot` in getMe and `chat_instance` in callback queries, and ignores the long-poll
`timeout`). aiogram validates a getUpdates answer as one list: one update it cannot read
makes it throw the whole batch away, and a server that had already marked the batch read
loses every update in it. Here each update is read on its own: a known omission is filled in
(and logged once), an update still unreadable is logged with its id and raw shape and skipped,
and the next getUpdates asks past it, so the rest of the batch is served."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import GetMe, GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from pydantic import ValidationError

log = logging.getLogger(__name__)

# A getUpdates that asked to wait but came back empty at once (no long polling on the
# server) waits this long itself, so an idle bot does not spin on the server.
MIN_IDLE_POLL_S = 0.5
SHAPE_LIMIT = 300


def raw_shape(value: Any, depth: int = 0) -> Any:
    """The keys and value types of an update, never its values (texts and phone numbers
    stay out of the log)."""
    if isinstance(value, dict):
        if depth >= 3:
            return "{…}"
        return {str(k): raw_shape(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [raw_shape(value[0], depth + 1)] if value else []
    return type(value).__name__


def _fill_known_omissions(update: dict[str, Any]) -> list[str]:
    """Fills in what some Bot API mocks leave out; the names of the filled fields."""
    filled: list[str] = []
    callback = update.get("callback_query")
    if isinstance(callback, dict) and "chat_instance" not in callback:
        message = callback.get("message")
        chat = message.get("chat") if isinstance(message, dict) else None
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        callback["chat_instance"] = f"missing:{chat_id if chat_id is not None else ''}"
        filled.append("callback_query.chat_instance")
    for key in ("message", "edited_message"):
        sender = update.get(key, {}).get("from") if isinstance(update.get(key), dict) else None
        if isinstance(sender, dict) and "is_bot" not in sender:
            sender["is_bot"] = False
            filled.append(f"{key}.from.is_bot")
    if isinstance(callback, dict):
        sender = callback.get("from")
        if isinstance(sender, dict) and "is_bot" not in sender:
            sender["is_bot"] = False
            filled.append("callback_query.from.is_bot")
    return filled


class TolerantSession(AiohttpSession):
    """An AiohttpSession that reads getUpdates update by update (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._skip_to = 0  # the offset past the last update seen, readable or not
        self._deviations: set[str] = set()

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        if isinstance(method, GetUpdates) and (method.offset or 0) < self._skip_to:
            method.offset = self._skip_to  # past an update that could not be read
        started = time.monotonic()
        result = await super().make_request(bot, method, timeout)
        if isinstance(method, GetUpdates) and not result and (method.timeout or 0) > 0:
            waited = time.monotonic() - started
            if waited < MIN_IDLE_POLL_S:
                await asyncio.sleep(MIN_IDLE_POLL_S - waited)
        return result

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        if isinstance(method, GetMe):
            content = self._with_is_bot(content)
        if isinstance(method, GetUpdates):
            updates = self._readable_updates(bot, content)
            if updates is not None:
                return Response[list[Update]](ok=True, result=updates)  # type: ignore[return-value]
        return super().check_response(bot, method, status_code, content)

    def _with_is_bot(self, content: str) -> str:
        try:
            data = json.loads(content)
        except ValueError:
            return content
        result = data.get("result") if isinstance(data, dict) else None
        if isinstance(result, dict) and "is_bot" not in result:
            result["is_bot"] = True
            self._note_deviation("getMe.is_bot")
            return json.dumps(data)
        return content

    def _readable_updates(self, bot: Bot, content: str) -> list[Update] | None:
        """The updates of a successful answer, read one by one; None: not one (let aiogram
        raise its usual error)."""
        try:
            data = json.loads(content)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("ok") is not True:
            return None
        items = data.get("result")
        if not isinstance(items, list):
            return None
        updates: list[Update] = []
        for item in items:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if isinstance(update_id, int):
                self._skip_to = max(self._skip_to, update_id + 1)
            if isinstance(item, dict):
                for name in _fill_known_omissions(item):
                    self._note_deviation(name)
            try:
                updates.append(Update.model_validate(item, context={"bot": bot}))
            except ValidationError as error:
                shape = json.dumps(raw_shape(item), ensure_ascii=False)[:SHAPE_LIMIT]
                fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors()[:5])
                log.error(
                    "update %s skipped: not a Bot API update (%s); shape %s",
                    update_id,
                    fields,
                    shape,
                )
        return updates

    def _note_deviation(self, name: str) -> None:
        if name not in self._deviations:
            self._deviations.add(name)
            log.warning("the Bot API server left out %s: filled in (logged once)", name)
