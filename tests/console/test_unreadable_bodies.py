"""Every form POST of the admin console answers a body it cannot read (not UTF-8, an unknown
charset, broken multipart) with a 4xx and a Chinese page — never a 500 — and changes nothing."""

from __future__ import annotations

import re

import aiohttp
from aiohttp import web

from console.app import VIEWS
from tests.console.conftest import ConsoleServer, Login

UNREADABLE = [
    ("application/x-www-form-urlencoded", b"csrf_token=\xff\xfe&username=\xff"),
    ("application/x-www-form-urlencoded; charset=bogus", b"csrf_token=x"),
    ("multipart/form-data; boundary=xyz", b"garbage without the boundary"),
    ("multipart/form-data", b"--x\r\nno boundary given\r\n"),
    (
        "multipart/form-data; boundary=xyz",
        b'--xyz\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        b"\xff\xfe\r\n--xyz--\r\n",
    ),
]


def _console_posts() -> list[str]:
    paths = []
    for module in VIEWS:
        for route in module.routes:
            if isinstance(route, web.RouteDef) and route.method == "POST":
                paths.append(re.sub(r"\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}", "1", route.path))
    return sorted(set(paths))


async def test_every_console_form_refuses_an_unreadable_body_with_a_chinese_page(
    console_server: ConsoleServer, login: Login
) -> None:
    posts = _console_posts()
    assert "/login" in posts and len(posts) > 10
    signed_in = await login("admin")
    async with aiohttp.ClientSession() as anonymous:
        for http in (anonymous, signed_in):
            for path in posts:
                for content_type, body in UNREADABLE:
                    url = console_server.url(path)
                    headers = {"Content-Type": content_type}
                    async with http.post(
                        url, data=body, headers=headers, allow_redirects=False
                    ) as response:
                        text = await response.text()
                    refused = 400 <= response.status < 500
                    to_login = http is anonymous and response.status == 303  # sign in first
                    assert refused or to_login, (path, content_type, response.status, text[:200])
                    if refused:
                        assert "未执行任何操作" in text or "页面不存在" in text, text[:300]


async def test_dates_outside_2000_to_2100_are_a_chinese_400_not_a_500(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("viewer")
    for page in ("/decisions?from=0001-01-01", "/decisions?to=9999-12-31"):
        async with http.get(console_server.url(page)) as response:
            assert response.status == 400 and "日期" in await response.text()
