"""Fixtures: a real emulator on 127.0.0.1, a real aiogram Bot pointed at it, and the client."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from PIL import Image

from emulator import RunningEmulator, start_emulator
from emulator.client import EmulatorClient

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
BOT_ID = 123456789


def jpeg_bytes(width: int = 640, height: int = 480, color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
async def emu() -> AsyncIterator[RunningEmulator]:
    running = await start_emulator(port=0)
    yield running
    await running.close()


@pytest.fixture
async def bot(emu: RunningEmulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
    bot = Bot(TOKEN, session=session)
    await bot.get_me()  # the emulator creates the bot on its first valid call
    yield bot
    # AiohttpSession.close() sleeps 0.25 s for TLS shutdown; plain HTTP needs no grace time.
    http = bot.session._session  # type: ignore[attr-defined]
    if http is not None:
        await http.close()


@pytest.fixture
async def client(emu: RunningEmulator, bot: Bot) -> AsyncIterator[EmulatorClient]:
    c = EmulatorClient(emu.base_url, BOT_ID)
    yield c
    await c.close()
