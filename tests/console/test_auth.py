"""Signing in and out of the admin console, roles, CSRF and the lock after wrong passwords."""

from __future__ import annotations

import aiohttp
from sqlalchemy import select
from yarl import URL

from storage.models import AuditLog, ConsoleSession, ConsoleUser
from tests.console.conftest import (
    PASSWORD,
    ConsoleServer,
    Login,
    create_user,
    csrf_of,
    page,
)


async def _browser() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def _try_login(
    server: ConsoleServer, http: aiohttp.ClientSession, username: str, password: str
) -> tuple[int, str]:
    _, html = await page(http, server.url("/login"))
    form = {"username": username, "password": password, "csrf_token": csrf_of(html)}
    async with http.post(server.url("/login"), data=form, allow_redirects=False) as response:
        return response.status, await response.text()


async def test_unauthenticated_visitor_is_sent_to_login_with_next(
    console_server: ConsoleServer,
) -> None:
    async with await _browser() as http:
        async with http.get(
            console_server.url("/decisions?review=pending"), allow_redirects=False
        ) as response:
            assert response.status == 303
            location = URL(response.headers["Location"])
            assert location.path == "/admin/login"
            assert location.query["next"] == "/admin/decisions?review=pending"


async def test_login_sets_a_hardened_cookie_and_stores_only_its_hash(
    console_server: ConsoleServer,
) -> None:
    await create_user(console_server.uow_factory, "wang", "admin")
    async with await _browser() as http:
        status, _ = await _try_login(console_server, http, "wang", PASSWORD)
        assert status == 303
        cookie = next(c for c in http.cookie_jar if c.key == "console_session")
        assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/admin"
        assert int(cookie["max-age"]) == 8 * 3600
        async with console_server.uow_factory() as uow:
            stored = (await uow.session.scalars(select(ConsoleSession))).one()
        assert stored.token_hash != cookie.value and len(stored.token_hash) == 64
        status, html = await page(http, console_server.url("/"))
        assert status == 200 and "wang（管理员）" in html


async def test_login_returns_to_the_page_asked_for_but_never_off_site(
    console_server: ConsoleServer,
) -> None:
    await create_user(console_server.uow_factory, "liwei", "viewer")
    for asked, landed in [
        ("/admin/departments", "/admin/departments"),
        ("https://evil.example/", "/admin/"),
        ("//evil.example/admin/", "/admin/"),
    ]:
        async with await _browser() as http:
            _, html = await page(http, console_server.url("/login"))
            form = {
                "username": "liwei",
                "password": PASSWORD,
                "csrf_token": csrf_of(html),
                "next": asked,
            }
            async with http.post(
                console_server.url("/login"), data=form, allow_redirects=False
            ) as response:
                assert response.headers["Location"] == landed


async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    console_server: ConsoleServer,
) -> None:
    await create_user(console_server.uow_factory, "zhao", "operator")
    async with await _browser() as http:
        for _ in range(4):
            status, html = await _try_login(console_server, http, "zhao", "wrong-password")
            assert status == 401 and "用户名或密码错误" in html
        status, html = await _try_login(console_server, http, "zhao", "wrong-password")
        assert status == 401 and "账号已锁定" in html
        status, html = await _try_login(console_server, http, "zhao", PASSWORD)
        assert status == 401 and "账号已锁定" in html
        assert not [c for c in http.cookie_jar if c.key == "console_session"]
    async with console_server.uow_factory() as uow:
        user = await uow.console.user_by_name("zhao")
        assert user is not None and user.locked_until is not None
        actions = [a.action for a in await uow.session.scalars(select(AuditLog))]
        assert actions.count("console.login_failed") == 4 and "console.locked" in actions
        user.locked_until = user.locked_until.replace(year=2000)  # the lock has run out
        await uow.commit()
    async with await _browser() as http:
        status, _ = await _try_login(console_server, http, "zhao", PASSWORD)
        assert status == 303


async def test_unknown_user_and_wrong_password_look_the_same(
    console_server: ConsoleServer,
) -> None:
    await create_user(console_server.uow_factory, "qian", "viewer")
    async with await _browser() as http:
        _, unknown = await _try_login(console_server, http, "nobody", PASSWORD)
        _, wrong = await _try_login(console_server, http, "qian", "nope-nope")
        assert "用户名或密码错误" in unknown and "用户名或密码错误" in wrong


async def test_login_post_without_csrf_is_refused(console_server: ConsoleServer) -> None:
    await create_user(console_server.uow_factory, "sun", "admin")
    async with await _browser() as http:
        await page(http, console_server.url("/login"))  # has the CSRF cookie, not the field
        form = {"username": "sun", "password": PASSWORD}
        async with http.post(console_server.url("/login"), data=form) as response:
            assert response.status == 403 and "安全校验失败" in await response.text()
        assert not [c for c in http.cookie_jar if c.key == "console_session"]


async def test_operator_gets_403_on_admin_pages(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("operator")
    for path in ("/deputies", "/dead-letters", "/departments/new"):
        status, html = await page(http, console_server.url(path))
        assert status == 403 and "无权访问" in html, path


async def test_viewer_cannot_post_changes(console_server: ConsoleServer, login: Login) -> None:
    http = await login("viewer")
    _status, html = await page(http, console_server.url("/"))
    form = {"csrf_token": csrf_of(html), "department": "ZJ"}
    async with http.post(console_server.url("/decisions/1/correct"), data=form) as response:
        assert response.status == 403


async def test_logout_ends_the_session_on_the_server(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("viewer")
    token = next(c.value for c in http.cookie_jar if c.key == "console_session")
    _status, html = await page(http, console_server.url("/"))
    async with http.post(
        console_server.url("/logout"), data={"csrf_token": csrf_of(html)}
    ) as response:
        assert str(response.url).endswith("/admin/login") and "您已安全退出" in (
            await response.text()
        )
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as replay:
        replay.cookie_jar.update_cookies(
            {"console_session": token}, response_url=URL(console_server.base_url)
        )
        async with replay.get(console_server.url("/"), allow_redirects=False) as response:
            assert response.status == 303  # the stolen cookie is worthless after logout


async def test_expired_session_is_sent_to_login(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("viewer")
    async with console_server.uow_factory() as uow:
        for session in await uow.session.scalars(select(ConsoleSession)):
            session.expires_at = session.created_at
        await uow.commit()
    status, _ = await page(http, console_server.url("/"))
    assert status == 303


async def test_deactivated_user_is_signed_out(console_server: ConsoleServer, login: Login) -> None:
    http = await login("admin", username="gone")
    async with console_server.uow_factory() as uow:
        user = (
            await uow.session.scalars(select(ConsoleUser).where(ConsoleUser.username == "gone"))
        ).one()
        user.active = False
        await uow.commit()
    status, _ = await page(http, console_server.url("/"))
    assert status == 303
