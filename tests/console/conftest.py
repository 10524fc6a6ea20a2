"""The admin console on the bot's real web app (127.0.0.1, a free port) over a real SQLite
database; tests sign in as a browser would, with a cookie jar."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest

from bot.config import Settings
from bot.services.console.auth import ConsoleAuthService
from bot.services.routing.directory import RouterDirectory
from bot.web import WebServer
from classifiers import RouterHolder, load_directory
from console import add_routes
from storage.uow import UnitOfWorkFactory
from tests.console.seed import DEPARTMENTS, DEPUTY_TELEGRAM_ID, seed_directory
from tests.doubles import RecordingNotifier

# Tests import these from here too.
__all__ = ["DEPARTMENTS", "DEPUTY_TELEGRAM_ID", "RecordingNotifier"]

PASSWORD = "correct-horse-42"


@dataclass
class ConsoleServer:
    base_url: str
    uow_factory: UnitOfWorkFactory
    notifier: RecordingNotifier
    woken: list[int]

    def url(self, path: str) -> str:
        return f"{self.base_url}/admin{path}"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


@pytest.fixture
def console_settings() -> Settings:
    return Settings(_env_file=None, console_lockout_minutes=10)


@pytest.fixture
async def seeded_console(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    await seed_directory(uow_factory)
    return uow_factory


@pytest.fixture
def console_classifier() -> RouterHolder | None:
    """The running router that department edits refresh; none unless a module overrides this
    (building one loads jieba's dictionary)."""
    return None


@pytest.fixture
async def console_server(
    seeded_console: UnitOfWorkFactory,
    console_settings: Settings,
    console_classifier: RouterHolder | None,
) -> AsyncIterator[ConsoleServer]:
    notifier = RecordingNotifier()
    woken: list[int] = []
    server = WebServer("127.0.0.1", 0)
    add_routes(
        server.app,
        console_settings,
        seeded_console,
        notifier,
        wake_outbox=lambda: woken.append(1),
        router_directory=RouterDirectory(console_classifier, seeded_console, load_directory())
        if console_classifier is not None
        else None,
    )
    await server.start()
    assert server.port is not None
    yield ConsoleServer(f"http://127.0.0.1:{server.port}", seeded_console, notifier, woken)
    await server.stop()


async def create_user(uow_factory: UnitOfWorkFactory, username: str, role: str) -> None:
    async with uow_factory() as uow:
        await ConsoleAuthService(uow).create_user(username, PASSWORD, role, actor="test")


Login = Callable[..., Awaitable[aiohttp.ClientSession]]


@pytest.fixture
async def login(console_server: ConsoleServer) -> AsyncIterator[Login]:
    """`await login("operator")`: a new account of that role, signed in; returns its browser."""
    sessions: list[aiohttp.ClientSession] = []

    async def sign_in(role: str = "admin", username: str | None = None) -> aiohttp.ClientSession:
        name = username or f"{role}-{len(sessions) + 1}"
        await create_user(console_server.uow_factory, name, role)
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        sessions.append(http)
        async with http.get(console_server.url("/login")) as page:
            token = csrf_of(await page.text())
        form = {"username": name, "password": PASSWORD, "csrf_token": token, "next": ""}
        async with http.post(console_server.url("/login"), data=form) as response:
            assert response.status == 200, await response.text()
            assert str(response.url).endswith("/admin/"), response.url
        return http

    yield sign_in
    await asyncio.gather(*(s.close() for s in sessions))


async def page(http: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with http.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


async def post_form(
    http: aiohttp.ClientSession, url: str, data: dict[str, str], *, csrf_from: str | None = None
) -> tuple[int, str]:
    """POSTs with the CSRF token of the page at `csrf_from` (or of `url` itself's form page)."""
    if csrf_from is not None:
        status, html = await page(http, csrf_from)
        assert status == 200, html
        data = {"csrf_token": csrf_of(html), **data}
    async with http.post(url, data=data) as response:
        return response.status, await response.text()


async def upload_deputies(
    server: ConsoleServer, http: aiohttp.ClientSession, filename: str, data: bytes
) -> tuple[int, str]:
    """Uploads `data` as `filename` to the deputy import form; returns status and page."""
    _, html = await page(http, server.url("/deputies"))
    form = aiohttp.FormData()
    form.add_field("csrf_token", csrf_of(html))
    form.add_field("file", data, filename=filename, content_type="application/octet-stream")
    async with http.post(server.url("/deputies/import"), data=form) as response:
        return response.status, await response.text()


LOCKOUT = timedelta(minutes=10)
