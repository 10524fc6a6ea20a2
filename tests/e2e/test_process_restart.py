"""The deployed entry point itself: `python -m bot` is killed mid-draft and started again on the
same database; the deputy's next tap continues the draft."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.texts import reports as rt
from emulator.client import EmulatorClient
from emulator.server import RunningEmulator
from tests.e2e.conftest import BOT_ID, SAMPLE_REGISTRY, TOKEN
from tests.e2e.reporting import WAGE_ARREARS

ROOT = Path(__file__).parents[2]


@pytest.fixture
def bot_env(emulator: RunningEmulator, tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=emulator.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        DATA_DIR=str(tmp_path),
        WEB_PORT="0",
        POLLING_TIMEOUT="1",
        LOG_LEVEL="WARNING",
    )


async def _run(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL
    )


@pytest.fixture
async def start_process(bot_env: dict[str, str], client: EmulatorClient) -> AsyncIterator[object]:
    processes: list[asyncio.subprocess.Process] = []
    importer = await _run(bot_env, "registry", "import", str(SAMPLE_REGISTRY))
    assert await importer.wait() == 0

    async def start() -> asyncio.subprocess.Process:
        process = await _run(bot_env)
        processes.append(process)
        await client.wait_until_polling(timeout=60)
        return process

    yield start
    for process in processes:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_killed_bot_process_resumes_the_draft_after_restart(
    start_process: object, client: EmulatorClient
) -> None:
    first = await start_process()  # type: ignore[operator]
    deputy = client.user(7301)
    await deputy.send_contact("13807390006")
    await deputy.next_message(timeout=15)
    await deputy.send_text("/report")
    await deputy.next_message()
    await deputy.send_text(WAGE_ARREARS)
    saved = await deputy.next_message()
    first.kill()  # no clean shutdown: SIGKILL
    await first.wait()

    await client.register_bot()
    await start_process()  # type: ignore[operator]
    await deputy.press_button(saved, rt.BTN_DONE)
    assert (await deputy.next_message(timeout=15))["text"] == rt.ASK_PHOTOS
    assert BOT_ID
