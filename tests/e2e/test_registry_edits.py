"""A deputy an admin deactivates in the console is refused by the running bot at once (the
bot's identity cache is told, not left to expire a minute later)."""

from __future__ import annotations

import aiohttp
from sqlalchemy import select

from bot import texts
from bot.app import Application
from bot.services.console.auth import ConsoleAuthService
from emulator.client import EmulatorClient
from storage.models import Deputy
from tests.console.conftest import PASSWORD, csrf_of, post_form
from tests.e2e.reporting import verified


async def test_a_deputy_deactivated_in_the_console_is_refused_at_once(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7401)
    await deputy.send_text("/report")
    assert texts.NOT_BOUND not in (await deputy.next_message())["text"]
    await deputy.send_text("/cancel")
    await deputy.next_message()

    async with bot_app.uow_factory() as uow:
        await ConsoleAuthService(uow).create_user("boss", PASSWORD, "admin", actor="test")
        deputy_id = await uow.session.scalar(
            select(Deputy.id).where(Deputy.telegram_user_id == 7401)
        )
    admin = f"http://127.0.0.1:{bot_app.web.port}/admin"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{admin}/login") as login_page:
            token = csrf_of(await login_page.text())
        form = {"username": "boss", "password": PASSWORD, "csrf_token": token, "next": ""}
        async with http.post(f"{admin}/login", data=form) as response:
            assert response.status == 200
        status, _html = await post_form(
            http,
            f"{admin}/deputies/{deputy_id}/deactivate",
            {"confirm": "yes"},
            csrf_from=f"{admin}/deputies",
        )
        assert status == 200

    # Told why, at once: not "please verify" (sharing the phone again would not help).
    for command in ("/report", "/start", "随便说一句话"):
        await deputy.send_text(command)
        assert (await deputy.next_message())["text"] == texts.CONTACT_INACTIVE, command
