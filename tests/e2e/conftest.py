"""End-to-end harness: the real bot application polls the local Bot API emulator over HTTP;
tests act as Telegram users through the emulator's control API."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import Application
from bot.config import Settings
from bot.services.deputies.registry import RegistryService
from classifiers import RouterHolder, load_router
from emulator.client import EmulatorClient
from emulator.server import RunningEmulator, start_emulator
from intake import RunningIntake, start_intake

TOKEN = "4242424242:TEST-token-for-end-to-end-tests-0000"
BOT_ID = 4242424242
SAMPLE_REGISTRY = Path(__file__).parents[2] / "samples" / "deputies.csv"
HOTLINE_SECRET = "e2e-hotline-secret"

BotFactory = Callable[..., Awaitable[Application]]


async def until(check: Callable[[], Awaitable[Any]], what: str) -> Any:
    """The outbox worker, the callbacks and the watches run in the background: wait (up to 15 s)
    for their effect, the first truthy `check()`."""
    for _ in range(150):
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="session")
def classifier() -> RouterHolder:
    """Built once: loading jieba's dictionary and the model takes about a second."""
    return RouterHolder(load_router())


@pytest.fixture
async def emulator() -> AsyncIterator[RunningEmulator]:
    running = await start_emulator(port=0)
    yield running
    await running.close()


@pytest.fixture
async def client(emulator: RunningEmulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.base_url, BOT_ID) as emulator_client:
        yield emulator_client


def make_settings(emulator: RunningEmulator, database_url: str, **overrides: object) -> Settings:
    settings = Settings(
        _env_file=None,
        bot_token=SecretStr(TOKEN),
        telegram_api_base=emulator.base_url,
        database_url=database_url,
        polling_timeout=1,
        web_port=0,  # a free port for the hotline callback endpoint
    )
    return settings.model_copy(update=overrides)


@pytest.fixture
async def start_bot(
    emulator: RunningEmulator,
    client: EmulatorClient,
    sqlite_url: str,
    classifier: RouterHolder,
    tmp_path: Path,
) -> AsyncIterator[BotFactory]:
    """Starts the bot exactly as `python -m bot` does, with the sample registry loaded."""
    running: list[tuple[Application, asyncio.Task[None]]] = []

    async def start(**overrides: object) -> Application:
        settings = make_settings(emulator, sqlite_url, data_dir=tmp_path / "data", **overrides)
        app = await Application.create(settings, classifier=classifier)
        async with app.uow_factory() as uow:
            await RegistryService(uow).import_file(SAMPLE_REGISTRY, actor="test")
        task = asyncio.create_task(app.run(handle_signals=False))
        running.append((app, task))
        await client.wait_until_polling()
        return app

    yield start
    for app, task in running:
        await app.stop()
        await asyncio.wait_for(task, timeout=10)
        await app.close()


@pytest.fixture
async def bot_app(start_bot: BotFactory) -> Application:
    return await start_bot()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def bot_web_port() -> int:
    """Known before the bot starts, so the intake can be told where to send callbacks."""
    return free_port()


@pytest.fixture
async def intake(tmp_path: Path, bot_web_port: int) -> AsyncIterator[RunningIntake]:
    """The reference 12345 intake server, calling back to the bot's web app."""
    running = await start_intake(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.sqlite3'}",
        secret=HOTLINE_SECRET,
        callback_url=f"http://127.0.0.1:{bot_web_port}/hotline/callback",
        callback_backoff_base_s=0.2,
    )
    yield running
    await running.close()


@pytest.fixture
async def looped(start_bot: BotFactory, intake: RunningIntake, bot_web_port: int) -> Application:
    """The bot wired to the intake: outbox worker out, signed callbacks in."""
    return await start_bot(
        hotline_url=intake.base_url,
        hotline_secret=SecretStr(HOTLINE_SECRET),
        web_port=bot_web_port,
    )
