"""The bot against telegram-test-api 4.2.1 (npm; a Bot API mock other projects test with, pinned
by tests/peers/telegram-test-api/package-lock.json): a deputy goes from /start to a receipt,
driven through the peer's own client endpoints (POST /sendCommand, /sendMessage,
/sendCallback, /getUpdates), and the report reaches our reference intake.

Where this peer deviates from the Bot API (and what the bot does about it):
- getMe has no `is_bot`: filled in by bot/telegram_session.py (aiogram would refuse the answer);
- methods it does not implement (setMyCommands, getFile, sendPhoto, sendChatAction, ...) answer
  HTTP 500 with `{"message": ...}`, not a Bot API error: the command menu is logged and skipped
  at start-up (bot/app.py); the flow below uses none of the others;
- callback queries have no `chat_instance`: filled in per update, so the tap is not lost;
- getUpdates ignores `offset` and `timeout` (it returns each update once, at once): the
  session waits a moment after an empty answer instead of spinning;
- the messages it returns for sendMessage carry `date` in milliseconds and echo the request's
  fields (`chat_id` as a string); edits change its stored copy without telling the client."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot import texts
from bot.app import Application
from bot.config import Settings
from bot.services.deputies.registry import RegistryService
from bot.texts import reports as rt
from classifiers import RouterHolder, load_router
from intake import RunningIntake, start_intake
from tests.e2e.conftest import SAMPLE_REGISTRY, until

TOKEN = "5555555555:PEER-telegram-test-api-token-000"
DEPUTY_ID = 77001
DEPUTY_PHONE = "13807390006"  # 曾宪文 in samples/deputies.csv
WAGE_ARREARS = (
    "邵东市廉桥镇一个工地的包工头拖欠我们二十多名农民工工资三万多元，至今不给，请人社局帮忙追讨。"
)


class PeerUser:
    """A Telegram user as telegram-test-api's client endpoints let one act."""

    def __init__(self, http: aiohttp.ClientSession, base: str, user_id: int) -> None:
        self._http = http
        self._base = base
        self._user = {"id": user_id, "first_name": "宪文", "username": "zxw", "is_bot": False}
        self._chat = {"id": user_id, "first_name": "宪文", "type": "private"}
        self._inbox: list[dict[str, Any]] = []

    def _common(self) -> dict[str, Any]:
        return {
            "botToken": TOKEN,
            "date": int(asyncio.get_running_loop().time()) + 1_764_720_000,
            "from": self._user,
            "chat": self._chat,
        }

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        async with self._http.post(f"{self._base}/{path}", json=body) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def command(self, text: str) -> None:
        entities = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
        await self._post("sendCommand", {**self._common(), "text": text, "entities": entities})

    async def text(self, text: str) -> None:
        await self._post("sendMessage", {**self._common(), "text": text})

    async def contact(self, phone: str) -> None:
        contact = {"phone_number": phone, "first_name": "宪文", "user_id": self._user["id"]}
        await self._post("sendMessage", {**self._common(), "contact": contact})

    async def press(self, sent: dict[str, Any], label: str) -> None:
        """Taps the inline button labelled `label` on a message the bot sent."""
        markup = sent["message"].get("reply_markup") or {}
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        data = next(b["callback_data"] for b in buttons if b["text"] == label)
        message = {
            "message_id": sent["messageId"],
            "date": sent["time"] // 1000,
            "chat": self._chat,
            "from": {"id": 666, "is_bot": True, "first_name": "Bot"},
            "text": sent["message"].get("text", ""),
        }
        await self._post("sendCallback", {**self._common(), "message": message, "data": data})

    async def next_message(self, containing: str = "") -> dict[str, Any]:
        """The next message the bot sent this chat (containing `containing`), waiting ≤ 15 s."""

        async def arrived() -> dict[str, Any] | None:
            if not self._inbox:
                body = {"token": TOKEN, "chatId": self._chat["id"]}
                self._inbox.extend((await self._post("getUpdates", body))["result"])
            while self._inbox:
                sent = self._inbox.pop(0)
                if containing in str(sent["message"].get("text", "")):
                    return sent
            return None

        found: dict[str, Any] = await until(arrived, f"a bot message with {containing!r}")
        return found


@pytest.fixture
async def intake(tmp_path: Path) -> AsyncIterator[RunningIntake]:
    running = await start_intake(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.sqlite3'}",
        secret="peer-secret",
        callback_url=None,
    )
    yield running
    await running.close()


async def test_a_deputy_files_a_report_through_telegram_test_api(
    telegram_test_api: str,
    intake: RunningIntake,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(
        _env_file=None,
        bot_token=SecretStr(TOKEN),
        telegram_api_base=telegram_test_api,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        data_dir=tmp_path / "data",
        polling_timeout=1,
        web_port=0,
        hotline_url=intake.base_url,
        hotline_secret=SecretStr("peer-secret"),
    )
    app = await Application.create(settings, classifier=RouterHolder(load_router()))
    async with app.uow_factory() as uow:
        await RegistryService(uow).import_file(SAMPLE_REGISTRY, actor="test")
    caplog.set_level(logging.WARNING)
    task = asyncio.create_task(app.run(handle_signals=False))
    try:
        async with aiohttp.ClientSession() as http:
            deputy = PeerUser(http, telegram_test_api, DEPUTY_ID)
            await deputy.command("/start")
            await deputy.next_message("手机号")
            await deputy.contact(DEPUTY_PHONE)
            await deputy.next_message("曾宪文")

            await deputy.command("/report")
            await deputy.next_message()
            await deputy.text(WAGE_ARREARS)
            saved = await deputy.next_message(rt.BTN_DONE)
            await deputy.press(saved, rt.BTN_DONE)
            photos = await deputy.next_message("照片")
            await deputy.press(photos, rt.BTN_DONE)
            await deputy.next_message("位置")
            await deputy.text(rt.BTN_SKIP)
            appeal = await deputy.next_message(rt.ASK_APPEAL_TYPE[:4])
            await deputy.press(appeal, rt.BTN_NEXT)
            preview = await deputy.next_message("人社")
            await deputy.press(preview, rt.BTN_CONFIRM)
            receipt = await deputy.next_message("已提交")
            number = receipt["message"]["text"].split("<b>")[1].split("</b>")[0]
            assert number.startswith("SY")

        async def ticket_at_intake() -> bool:
            found = await intake.store.list(limit=10)
            return any(t["report_number"] == number for t in found)

        await until(ticket_at_intake, "the ticket at the intake")
    finally:
        await app.stop()
        await asyncio.wait_for(task, timeout=10)
        await app.close()
    logged = caplog.text
    assert "setMyCommands refused" in logged  # the peer's HTTP 500 did not stop the bot
    assert "callback_query.chat_instance" in logged  # and the taps were served
    assert texts.COMMANDS  # the menu the peer could not take
