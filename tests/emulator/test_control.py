"""Control API (/_emu): user actions become updates aiogram parses; inspection endpoints."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Update

from emulator import RunningEmulator
from emulator.client import EmulatorClient, EmulatorError
from tests.emulator.conftest import BOT_ID, jpeg_bytes


async def test_contact_location_sticker_voice_parse_as_aiogram_types(
    bot: Bot, client: EmulatorClient
) -> None:
    user = client.user(1001, "李四")
    await user.send_contact("8613800000000")
    await user.send_contact("+8613900000000", user_id=2002, first_name="王五")
    await user.send_location(27.2418, 111.4674)
    await user.send_sticker()
    await user.send_voice()
    await user.send_document(b"%PDF-1.4", "报告.pdf", "application/pdf")
    msgs: list[Any] = [u.message for u in await bot.get_updates()]
    own, other, loc, sticker, voice, doc = msgs
    assert own.contact.user_id == 1001 and own.contact.phone_number == "8613800000000"
    assert other.contact.user_id == 2002 and other.contact.first_name == "王五"
    assert (loc.location.latitude, loc.location.longitude) == (27.2418, 111.4674)
    assert sticker.sticker.emoji == "👍" and voice.voice.duration == 3
    assert doc.document.file_name == "报告.pdf"
    file = await bot.get_file(doc.document.file_id)
    assert file.file_size == 8


async def test_photo_and_album_parse_with_shared_media_group(bot: Bot, client: EmulatorClient):
    user = client.user(1001)
    await user.send_photo(jpeg_bytes(400, 300), caption="积水")
    album = await user.send_album([jpeg_bytes(), jpeg_bytes(color="blue")], caption="两张")
    updates = await bot.get_updates()
    photo, first, second = (u.message for u in updates)
    assert photo is not None and photo.photo is not None and photo.caption == "积水"
    assert (photo.photo[-1].width, photo.photo[-1].height) == (400, 300)
    assert first is not None and second is not None
    assert first.media_group_id == second.media_group_id == album[0]["media_group_id"]
    assert first.caption == "两张" and second.caption is None


async def test_any_text_is_accepted_from_users_including_empty_and_huge(
    bot: Bot, client: EmulatorClient
) -> None:
    user = client.user(1001)
    await user.send_text("")
    await user.send_text("长" * 100_000)
    texts = [u.message.text for u in await bot.get_updates() if u.message]
    assert texts == ["", "长" * 100_000]


async def test_group_chat_and_reply_to_message(bot: Bot, client: EmulatorClient) -> None:
    group = {"id": -100123, "type": "supergroup", "title": "人大代表群"}
    user = client.user(1001, chat=group)
    first = await user.send_text("一")
    await user.send_text("二", reply_to_message_id=first["message_id"])
    updates = await bot.get_updates()
    reply = updates[1].message
    assert reply is not None and reply.chat.type == "supergroup" and reply.chat.title
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "一"
    await bot.send_message(-100123, "收到")
    assert (await user.next_message())["chat"]["id"] == -100123


async def test_group_membership_is_reported_by_get_chat_member(
    bot: Bot, client: EmulatorClient
) -> None:
    group = {"id": -100777, "type": "supergroup", "title": "话务员群"}
    admin, member = client.user(1001, chat=group), client.user(1002, chat=group)
    await admin.set_membership("administrator")  # creates the group: the bot can post there
    await bot.send_message(-100777, "工单")
    await member.send_text("在")  # writing in a group makes a newcomer a member
    statuses = {
        uid: (await bot.get_chat_member(-100777, uid)).status for uid in (1001, 1002, BOT_ID)
    }
    assert statuses == {1001: "administrator", 1002: "member", BOT_ID: "administrator"}
    await client.user(1003).send_text("hi")  # known to the bot, never in the group
    assert (await bot.get_chat_member(-100777, 1003)).status == "left"
    await member.set_membership("kicked")
    assert (await bot.get_chat_member(-100777, 1002)).status == "kicked"
    with pytest.raises(AssertionError, match="not a member"):
        await member.send_text("还在吗")
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await bot.get_chat_member(-100777, 424242)


async def test_next_message_returns_replies_in_order_and_skips_other_events(
    bot: Bot, client: EmulatorClient
) -> None:
    user = client.user(1001)
    await user.send_text("hi")
    await bot.send_chat_action(1001, "typing")
    await bot.send_message(1001, "一")
    await bot.send_message(1001, "二")
    assert (await user.next_message())["text"] == "一"
    assert (await user.next_message())["text"] == "二"
    with pytest.raises(AssertionError, match="no new message"):
        await user.next_message(timeout=0.2)


async def test_events_long_poll_wakes_on_bot_output(
    emu: RunningEmulator, bot: Bot, client: EmulatorClient
) -> None:
    user = client.user(1001)
    await user.send_text("hi")
    waiter = asyncio.create_task(user.next_message(timeout=5))
    await asyncio.sleep(0.1)
    await bot.send_message(1001, "回复")
    assert (await asyncio.wait_for(waiter, 1))["text"] == "回复"


async def test_control_errors_are_json(emu: RunningEmulator, client: EmulatorClient) -> None:
    async with aiohttp.ClientSession() as http:
        base = f"{emu.base_url}/_emu/bots"
        async with http.post(f"{base}/{BOT_ID}/send", data="{nope") as resp:
            assert resp.status == 400 and (await resp.json())["ok"] is False
        async with http.post(f"{base}/999/send", json={"user": {"id": 1}, "text": "x"}) as resp:
            assert resp.status == 404
        async with http.post(
            f"{base}/{BOT_ID}/send", json={"user": {"id": 1, "first_name": "a"}}
        ) as resp:
            assert "exactly one payload" in (await resp.json())["description"]


async def test_registered_bot_gets_updates_sent_before_it_polls(emu: RunningEmulator) -> None:
    async with EmulatorClient(emu.base_url, 555) as client:
        await client.register_bot()
        await client.user(1001).send_text("早")
        (summary,) = await client.call("GET", "/bots")
        assert summary["pending_update_count"] == 1 and summary["last_poll_time"] is None
        async with aiohttp.ClientSession() as http:
            url = f"{emu.base_url}/bot555:secret-token/getUpdates"
            async with http.get(url) as resp:
                (raw,) = (await resp.json())["result"]
        assert Update.model_validate(raw).message is not None
        await client.wait_until_polling(timeout=1)


async def test_personas_reset_and_web_chat_are_served(
    emu: RunningEmulator, client: EmulatorClient
) -> None:
    personas = [{"id": 1001, "name": "张代表", "phone": "13800000000", "note": "市人大"}]
    await client.set_personas(personas)
    assert await client.call("GET", "/personas") == personas
    await client.reset()
    assert await client.call("GET", "/personas") == []
    assert await client.call("GET", "/bots") == []
    async with aiohttp.ClientSession() as http:
        async with http.get(emu.base_url + "/") as resp:
            assert resp.status == 200 and "代表直通12345" in await resp.text()
        for name in ("app.js", "style.css"):
            async with http.get(f"{emu.base_url}/static/{name}") as resp:
                assert resp.status == 200


async def test_places_for_the_web_chat_are_checked_kept_and_reset(
    emu: RunningEmulator, client: EmulatorClient
) -> None:
    places = [{"name": "红旗路街道", "district": "大祥区", "latitude": 27.23, "longitude": 111.4}]
    await client.set_places(places)
    assert await client.call("GET", "/places") == places
    refused: list[object] = [
        [{"name": "远方", "latitude": 91, "longitude": 0}],
        [{"latitude": 1}],
        {},
    ]
    for bad in refused:
        with pytest.raises(EmulatorError):
            await client.call("POST", "/places", bad)
    await client.reset()
    assert await client.call("GET", "/places") == []
