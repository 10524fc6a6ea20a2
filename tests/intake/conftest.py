"""Fixtures: a real intake server on 127.0.0.1:0 and a tiny callback receiver beside it."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from intake import RunningIntake, start_intake
from protocol.signing import SignatureError, signed_headers, verify
from tests.doubles import serve

SECRET = "test-secret-你好"
API_KEY = "open311-key"


@dataclass
class Receiver:
    """Collects signed callbacks; answers 500 to the first ``fail_first`` deliveries."""

    url: str = ""
    fail_first: int = 0
    attempts: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            verify(SECRET, request.method, request.raw_path, request.headers, body)
        except SignatureError:
            self.bad_signatures += 1
            return web.json_response({"error": "bad signature"}, status=401)
        payload = json.loads(body)
        assert request.headers["X-Event-Id"] == payload["event_id"]
        self.attempts.append(payload)
        self.changed.set()
        if len(self.attempts) <= self.fail_first:
            return web.json_response({"error": "try later"}, status=500)
        self.accepted.append(payload)
        return web.json_response({"ok": True})

    async def wait_for(self, count: int, within_s: float = 5.0) -> list[dict[str, Any]]:
        """Wait until ``count`` callbacks were accepted."""
        async with asyncio.timeout(within_s):
            while len(self.accepted) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.accepted


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()
    app = web.Application()
    app.router.add_post("/hotline/callback", state.handle)
    async with serve(app) as base_url:
        state.url = f"{base_url}/hotline/callback"
        yield state


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'intake.sqlite3'}"


@pytest.fixture
async def intake(db_url: str, receiver: Receiver) -> AsyncIterator[RunningIntake]:
    running = await start_intake(
        db_url=db_url,
        secret=SECRET,
        callback_url=receiver.url,
        open311_api_key=API_KEY,
        callback_backoff_base_s=0.05,
        callback_timeout_s=2.0,
    )
    yield running
    await running.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # unsafe cookie jar: cookies for the 127.0.0.1 IP address must be kept too
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=aiohttp.ClientTimeout(total=10)
    ) as session:
        yield session


def ticket_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "report_number": "R-2025-0001",
        "department_code": "ZJ",
        "summary": "小区电梯长期故障",
        "text": "大祥区某小区 3 栋电梯停运两个月，物业不予维修，老人上下楼困难。",
        "appeal_type": "投诉",
        "urgency": "一般",
        "district": "大祥区",
        "town": "城西街道",
        "address": "城西街道幸福小区 3 栋",
        "latitude": 27.2389,
        "longitude": 111.4677,
        "reporter": {
            "name": "李代表",
            "phone": "13800000000",
            "level": "市级",
            "station": "城西联络站",
        },
        "photos": [],
        "submitted_at": "2025-06-12T09:30:00+08:00",
    }
    body.update(overrides)
    return body


async def api_call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    payload: Any = None,
    *,
    key: str | None = None,
    secret: str = SECRET,
    now: float | None = None,
) -> tuple[int, Any]:
    body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    signed = signed_headers(secret, method, URL(url).raw_path_qs, body, key=key, now=now)
    headers = {"Content-Type": "application/json", **signed}
    async with http.request(method, url, data=body, headers=headers) as response:
        return response.status, await response.json()


async def create_ticket(
    http: aiohttp.ClientSession, intake: RunningIntake, key: str = "report-1", **overrides: Any
) -> dict[str, Any]:
    status, data = await api_call(
        http, "POST", f"{intake.base_url}/api/v1/tickets", ticket_body(**overrides), key=key
    )
    assert status == 201, data
    return data


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


OPERATOR_PASSWORD = "operator-pass-123"


async def console_login(
    http: aiohttp.ClientSession,
    intake: RunningIntake,
    name: str,
    *,
    role: str = "admin",
    password: str = OPERATOR_PASSWORD,
) -> str:
    """Sign in through the form (the account is made first if it does not exist yet); returns
    the session's CSRF token scraped from the queue page it lands on."""
    if await intake.accounts.by_name(name) is None:
        await intake.accounts.add(name, password, role, actor="test")
    async with http.get(f"{intake.base_url}/console/login") as response:
        token = CSRF_RE.search(await response.text())
    assert token
    form = {"username": name, "password": password, "csrf_token": token.group(1)}
    async with http.post(f"{intake.base_url}/console/login", data=form) as response:
        assert response.status == 200, await response.text()  # followed the redirect
        session_token = CSRF_RE.search(await response.text())
    assert session_token
    return session_token.group(1)


async def console_action(
    http: aiohttp.ClientSession,
    intake: RunningIntake,
    ticket_id: str,
    action: str,
    token: str,
    **fields: str,
) -> tuple[int, str]:
    url = f"{intake.base_url}/console/tickets/{ticket_id}/{action}"
    async with http.post(url, data={"csrf_token": token, **fields}) as response:
        return response.status, await response.text()
