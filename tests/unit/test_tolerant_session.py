"""getUpdates is read update by update: one the bot cannot read is logged with its id and shape
and skipped; the rest of the batch is served, and the next poll asks past it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from bot.telegram_session import TolerantSession
from tests.doubles import serve

TOKEN = "42:TEST-token-0000"


def _message(update_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1764720000,
            "chat": {"id": 7, "type": "private"},
            "from": {"id": 7, "is_bot": False, "first_name": "代表"},
            "text": text,
        },
    }


async def test_an_unreadable_update_is_logged_and_the_rest_of_the_batch_is_served(
    caplog: pytest.LogCaptureFixture,
) -> None:
    offsets: list[str | None] = []
    batch = [
        _message(10, "第一条"),
        {"update_id": 11, "message": {"message_id": "not a number", "secret": "13800000001"}},
        _message(12, "第三条"),
        {"update_id": 13, "poll": {"id": None}},
    ]

    async def get_updates(request: web.Request) -> web.Response:
        form = await request.post()
        offsets.append(str(form["offset"]) if "offset" in form else None)
        return web.json_response({"ok": True, "result": batch if len(offsets) == 1 else []})

    app = web.Application()
    app.router.add_post(f"/bot{TOKEN}/getUpdates", get_updates)
    async with serve(app) as base:
        bot = Bot(TOKEN, session=TolerantSession(api=TelegramAPIServer.from_base(base)))
        try:
            with caplog.at_level(logging.ERROR, logger="bot.telegram_session"):
                updates = await bot.get_updates(offset=10)
            assert [u.update_id for u in updates] == [10, 12]
            assert [u.message.text for u in updates if u.message] == ["第一条", "第三条"]
            await bot.get_updates(offset=13)  # the dispatcher asks past 12, the last it read
        finally:
            await bot.session.close()
    assert offsets == ["10", "14"]  # past 13, the unreadable last one, never served again
    skipped = [r.getMessage() for r in caplog.records]
    assert any("update 11 skipped" in line and "message_id" in line for line in skipped)
    assert any("update 13 skipped" in line for line in skipped)
    assert not any("13800000001" in line for line in skipped)  # the shape, never the values
