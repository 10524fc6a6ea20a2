"""Department edits reach the running bot's routing: an admin adds an alias in the console and
the next deputy who names it gets that department; SIGHUP reloads with the database's directory."""

from __future__ import annotations

import os
import signal

import aiohttp
import pytest

from bot.app import Application
from bot.services.console.auth import ConsoleAuthService
from bot.services.routing.departments import DepartmentFields, DepartmentService
from emulator.client import EmulatorClient
from tests.console.conftest import PASSWORD, csrf_of, post_form
from tests.e2e.conftest import until
from tests.e2e.reporting import to_preview, verified

# 建管站 is what people call the 住建 office here: without the alias nothing points to ZJ.
BUILDING_SITE = "这件事请建管站尽快给个答复，我们已经等了一个多月了。"
ZJ_NAME = "邵阳市住房和城乡建设局"


async def _fields_with_alias(app: Application, alias: str) -> tuple[int, DepartmentFields]:
    async with app.uow_factory() as uow:
        zj = await uow.directory.department("ZJ")
        assert zj is not None
        fields = DepartmentFields(
            name=zj.name,
            aliases=[*zj.aliases, alias],
            keywords=list(zj.keywords),
            duty=zj.duty,
            category=zj.category,
        )
        return zj.id, fields


async def test_alias_added_in_the_console_routes_the_deputys_report(
    bot_app: Application, client: EmulatorClient
) -> None:
    assert bot_app.classifier.classify(BUILDING_SITE).department_code != "ZJ"
    async with bot_app.uow_factory() as uow:
        await ConsoleAuthService(uow).create_user("boss", PASSWORD, "admin", actor="test")
    department_id, fields = await _fields_with_alias(bot_app, "建管站")
    admin = f"http://127.0.0.1:{bot_app.web.port}/admin"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{admin}/login") as login_page:
            token = csrf_of(await login_page.text())
        form = {"username": "boss", "password": PASSWORD, "csrf_token": token, "next": ""}
        async with http.post(f"{admin}/login", data=form) as response:
            assert response.status == 200
        detail = f"{admin}/departments/{department_id}"
        edit = {
            "name": fields.name,
            "category": fields.category,
            "aliases": "\n".join(fields.aliases),
            "keywords": "\n".join(fields.keywords),
            "duty": fields.duty,
            "active": "on",
        }
        status, html = await post_form(http, detail, edit, csrf_from=detail)
        assert status == 200 and f"已保存“{ZJ_NAME}”（第 2 版）" in html

    deputy = await verified(client, 7301)
    card = (await to_preview(deputy, BUILDING_SITE))["text"]
    assert f"建议承办单位：{ZJ_NAME}" in card
    assert "点名“建管站”" in card


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
async def test_sighup_reloads_with_the_database_directory(bot_app: Application) -> None:
    department_id, fields = await _fields_with_alias(bot_app, "建管站")
    async with bot_app.uow_factory() as uow:  # e.g. an edit made by another process
        await DepartmentService(uow).update(department_id, fields, actor="test")
    assert bot_app.classifier.classify(BUILDING_SITE).department_code != "ZJ"
    if signal.getsignal(signal.SIGHUP) in (signal.SIG_DFL, None):
        pytest.skip("the bot installed no SIGHUP handler (not the main thread)")
    os.kill(os.getpid(), signal.SIGHUP)

    async def routed() -> bool:
        return bot_app.classifier.classify(BUILDING_SITE).department_code == "ZJ"

    await until(routed, "the SIGHUP reload")
