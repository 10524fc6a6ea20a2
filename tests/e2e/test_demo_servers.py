"""The demo's three servers: DEMO_PORT moves all of them, a port conflict names every port the
demo needs, and each serves a small favicon.ico (no 404 in the browser's console)."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest
from PIL import Image

from bot.app import Application
from bot.config import Settings
from bot.demo import DemoPorts, demo_places, run_demo
from emulator.server import RunningEmulator
from intake import RunningIntake
from tests.e2e.conftest import free_port


def test_demo_port_moves_the_web_chat_the_intake_and_the_admin_console() -> None:
    assert DemoPorts(8081).named() == [
        ("网页聊天", 8081),
        ("12345 工单受理台", 8090),
        ("管理后台", 8080),
    ]
    assert [port for _, port in DemoPorts(9181).named()] == [9181, 9190, 9180]


async def test_a_taken_port_is_named_with_every_port_the_demo_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", chat - 1))  # the admin console's port, not the chat's
        squatter.listen()
        settings = Settings(_env_file=None, data_dir=tmp_path, database_url="sqlite+aiosqlite://")
        assert await run_demo(settings, port=chat) == 1
    said = capsys.readouterr().err
    assert f"管理后台 {chat - 1}" in said.splitlines()[0]  # the one that is taken
    for name, port in DemoPorts(chat).named():
        assert f"{name} {port}" in said
    assert "make demo DEMO_PORT=" in said
    assert not await asyncio.to_thread(lambda: list(tmp_path.iterdir()))  # nothing written


def test_the_demo_offers_places_in_every_district_with_a_seat() -> None:
    places = demo_places()
    districts = {p["district"] for p in places}
    assert {"大祥区", "双清区", "北塔区", "邵东市", "武冈市"} <= districts
    assert all(sum(p["district"] == d for p in places) <= 3 for d in districts)


async def _icon(url: str) -> None:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200, url
        assert response.content_type == "image/x-icon"
        with Image.open(io.BytesIO(await response.read())) as icon:
            assert icon.format == "ICO"


async def test_every_server_of_the_demo_has_a_favicon(
    looped: Application, emulator: RunningEmulator, intake: RunningIntake
) -> None:
    await _icon(f"{emulator.base_url}/favicon.ico")
    await _icon(f"{intake.base_url}/favicon.ico")
    await _icon(f"http://127.0.0.1:{looped.web.port}/favicon.ico")


async def test_the_demo_banner_names_an_operator_account_that_signs_in(tmp_path: Path) -> None:
    """`make demo` as a real process: the banner's 受理台 account signs in to the console."""
    chat = free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
    }
    demo = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "demo", "--port", str(chat),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert demo.stdout is not None
        line = ""
        async with asyncio.timeout(90):
            while "话务员工作台" not in line:
                line = (await demo.stdout.readline()).decode()
                assert line, "the demo ended before its banner"
        found = re.search(r"(http://\S+/console/) ，.*账号 (\w+) ，密码 (\S+?)（", line)
        assert found, line
        url, username, password = found.groups()
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.get(f"{url}login") as page:
                token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
            assert token
            form = {"username": username, "password": password, "csrf_token": token.group(1)}
            async with http.post(f"{url}login", data=form) as answer:
                assert answer.status == 200 and "工单队列" in await answer.text()
                assert f"管理员：{username}" in await answer.text()
    finally:
        demo.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await demo.wait()
