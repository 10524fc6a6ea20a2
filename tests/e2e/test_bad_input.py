"""Whatever arrives, the user gets a clear Chinese answer; the bot never makes a refused call."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text

from bot import texts
from bot.app import Application
from emulator.client import ChatUser, EmulatorClient
from tests.e2e.conftest import BotFactory

CJK = re.compile(r"[\u4e00-\u9fff]")

Send = Callable[[ChatUser], Awaitable[Any]]
BAD_INPUTS: dict[str, Send] = {
    "empty text": lambda user: user.send_text(""),
    "whitespace": lambda user: user.send_text("   \n\t "),
    "100 kB text": lambda user: user.send_text("噪音扰民" * 25_600),
    "emoji only": lambda user: user.send_text("😀🔥🚧💡🙏"),
    "html-like": lambda user: user.send_text(
        '<b>路灯</b><script>alert("x")</script>&nbsp;<a href=x>'
    ),
    "sticker": lambda user: user.send_sticker(),
    "voice": lambda user: user.send_voice(),
    "unknown command": lambda user: user.send_text("/frobnicate now"),
    "location": lambda user: user.send_location(27.2418, 111.4674),
}


async def _verified(client: EmulatorClient, user_id: int) -> ChatUser:
    user = client.user(user_id)
    await user.send_contact("13807390005")
    await user.next_message()
    return user


@pytest.mark.parametrize("verified", [False, True], ids=["stranger", "deputy"])
async def test_bad_input_gets_a_chinese_reply_and_no_error(
    bot_app: Application, client: EmulatorClient, verified: bool
) -> None:
    user = await _verified(client, 6100) if verified else client.user(6101)
    for name, send in BAD_INPUTS.items():
        await send(user)
        reply = await user.next_message()
        assert CJK.search(reply["text"]), name
        assert reply["text"] != texts.ERROR, name
    assert await client.requests(errors_only=True) == []


async def test_unknown_command_and_media_get_specific_answers(
    bot_app: Application, client: EmulatorClient
) -> None:
    user = client.user(6102)
    await user.send_text("/frobnicate")
    assert (await user.next_message())["text"] == texts.UNKNOWN_COMMAND
    await user.send_sticker()
    assert (await user.next_message())["text"] == texts.UNSUPPORTED_CONTENT
    await user.send_text("")
    assert (await user.next_message())["text"] == texts.EMPTY_TEXT


async def test_html_in_a_users_name_is_escaped_in_replies(
    start_bot: BotFactory, client: EmulatorClient, tmp_path: Any
) -> None:
    app = await start_bot()
    async with app.uow_factory() as uow:
        deputy = await uow.deputies.by_phone("13807390005")
        assert deputy is not None
        deputy.name = "<b>唐</b>&永红"
        await uow.commit()
    user = await _verified(client, 6103)
    await user.send_text("/whoami")
    reply = await user.next_message()
    assert "<b>唐</b>&永红" in reply["text"]  # shown literally, not parsed as markup


async def test_a_failing_handler_answers_with_an_apology_and_logs_the_update(
    bot_app: Application, client: EmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    async with bot_app.engine.begin() as connection:
        await connection.execute(text("DROP TABLE audit_log"))  # every refusal writes there
    user = client.user(6104)
    await user.send_contact("13900000000")
    assert (await user.next_message())["text"] == texts.ERROR
    assert any(
        record.getMessage().startswith("update ") and record.exc_info for record in caplog.records
    )


async def test_flooding_user_is_throttled_with_one_warning(
    start_bot: BotFactory, client: EmulatorClient
) -> None:
    await start_bot(throttle_rate=3, throttle_period=60)
    user = client.user(6105)
    for _ in range(8):
        await user.send_text("/help")
    replies = [e["message"]["text"] for e in await user.drain(quiet=1.0) if e["kind"] == "message"]
    assert replies.count(texts.THROTTLED) == 1
    assert len(replies) == 4


async def test_bot_still_serves_deputies_when_its_web_port_is_taken(
    start_bot: BotFactory, client: EmulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        await start_bot(web_port=squatter.getsockname()[1])
        user = client.user(6106)
        await user.send_text("/help")
        assert "使用帮助" in (await user.next_message())["text"]
    assert any("hotline callbacks and consoles are OFF" in r.getMessage() for r in caplog.records)
