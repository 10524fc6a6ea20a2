"""Operators sign in to the reference intake's console with real accounts: a name alone no
longer signs anyone in; 40 parallel wrong passwords lock the account after exactly five checks
and the right one is then refused (SQLite and PostgreSQL); usernames compare regardless of
case and width; sessions end on sign-out; every sign-in and action lands in the audit log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import select

from intake import RunningIntake, start_intake
from intake.db import audit_log
from intake.operators import AccountError
from tests.intake.conftest import (
    CSRF_RE,
    OPERATOR_PASSWORD,
    SECRET,
    console_action,
    console_login,
    create_ticket,
)


@pytest.fixture
async def intake_any_db(sqlite_or_postgres_url: str) -> AsyncIterator[RunningIntake]:
    url = sqlite_or_postgres_url
    running = await start_intake(db_url=url, secret=SECRET, callback_url=None)
    yield running
    await running.close()


async def _login_form(base_url: str, username: str, password: str) -> tuple[int, str]:
    """One sign-in from a fresh browser (its own cookies), as a parallel guesser would."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(f"{base_url}/console/login") as page:
            token = CSRF_RE.search(await page.text())
        assert token
        form = {"username": username, "password": password, "csrf_token": token.group(1)}
        async with http.post(f"{base_url}/console/login", data=form) as answer:
            return answer.status, await answer.text()


async def _audit(intake: RunningIntake) -> list[str]:
    async with intake.engine.connect() as conn:
        rows = await conn.execute(select(audit_log.c.action).order_by(audit_log.c.id))
        return list(rows.scalars())


@pytest.mark.parametrize("sqlite_or_postgres_url", ["sqlite", "postgres"], indirect=True)
async def test_forty_parallel_wrong_logins_lock_after_exactly_five(
    intake_any_db: RunningIntake,
) -> None:
    intake = intake_any_db
    await intake.accounts.add("wangfang", OPERATOR_PASSWORD, "话务员", actor="test")
    base = intake.base_url
    answers = await asyncio.gather(*(_login_form(base, "wangfang", "wrong") for _ in range(40)))
    checks = [a for a in await _audit(intake) if a in ("login_failed", "locked", "login")]
    assert sorted(checks) == ["locked"] + ["login_failed"] * 4  # five passwords checked
    assert sorted(status for status, _ in answers) == [401] * 4 + [429] * 36
    assert all("已锁定" in text for status, text in answers if status == 429)
    status, text = await _login_form(base, "wangfang", OPERATOR_PASSWORD)
    assert status == 429 and "已锁定" in text
    assert "login" not in await _audit(intake)


async def test_a_name_alone_no_longer_signs_in(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    status, text = await _login_form(intake.base_url, "随便谁", "")
    assert status == 401 and "用户名或密码错误" in text
    async with http.get(f"{intake.base_url}/console/", allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"] == "/console/login"
    async with http.post(f"{intake.base_url}/console/tickets/T1/accept", data={}) as response:
        assert response.status == 403  # no session, no CSRF cookie: refused before anything


async def test_usernames_are_one_account_whatever_the_case_or_width(
    intake: RunningIntake,
) -> None:
    await intake.accounts.add("Admin", OPERATOR_PASSWORD, "管理员", actor="test")
    with pytest.raises(AccountError, match="已存在"):
        await intake.accounts.add("admin", OPERATOR_PASSWORD, "话务员", actor="test")
    for typed in ("admin", " ADMIN ", "ａｄｍｉｎ"):
        status, _ = await _login_form(intake.base_url, typed, OPERATOR_PASSWORD)
        assert status == 200, typed


async def test_sign_out_ends_the_session_on_the_server(intake: RunningIntake) -> None:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        token = await console_login(http, intake, "zhangsan", role="话务员")
        cookies = {c.key: c.value for c in jar}
        async with http.post(
            f"{intake.base_url}/console/logout", data={"csrf_token": token}
        ) as response:
            assert response.status == 200 and "已退出登录" in await response.text()
    # The old cookie, replayed, signs nobody in.
    async with aiohttp.ClientSession(cookies=cookies) as replay:
        url = f"{intake.base_url}/console/"
        async with replay.get(url, allow_redirects=False) as response:
            assert response.status == 303
    assert (await _audit(intake))[-2:] == ["login", "logout"]


async def test_a_disabled_account_is_signed_out_and_cannot_sign_in(
    intake: RunningIntake,
) -> None:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        await console_login(http, intake, "lisi", role="话务员")
        account = await intake.accounts.by_name("lisi")
        assert account is not None
        await intake.accounts.set_active(account["id"], False, actor="test")
        async with http.get(f"{intake.base_url}/console/", allow_redirects=False) as response:
            assert response.status == 303
    status, text = await _login_form(intake.base_url, "lisi", OPERATOR_PASSWORD)
    assert status == 401 and "已停用" in text


async def test_the_csrf_token_is_the_sessions_own(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    created = await create_ticket(http, intake)
    async with http.get(f"{intake.base_url}/console/login") as page:
        pre_login = CSRF_RE.search(await page.text())
    assert pre_login
    token = await console_login(http, intake, "zhaoliu")
    assert token != pre_login.group(1)
    status, _ = await console_action(
        http, intake, created["ticket_id"], "accept", pre_login.group(1)
    )
    assert status == 403  # the login form's cookie token is no good once signed in
    status, _ = await console_action(http, intake, created["ticket_id"], "accept", token)
    assert status == 200
