"""Bot API behaviour seen through a real aiogram Bot over real HTTP."""

from __future__ import annotations

import asyncio
import io

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    MediaUnion,
    ReplyKeyboardMarkup,
)

from emulator import RunningEmulator
from emulator.client import EmulatorClient
from tests.emulator.conftest import BOT_ID, TOKEN, jpeg_bytes


def kb(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in buttons]]
    )


async def test_get_me_reports_bot_identity_from_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (BOT_ID, True, "deputy12345_bot")
    assert me.first_name == "代表直通12345"


async def test_user_text_arrives_as_update_aiogram_parses(bot: Bot, client: EmulatorClient):
    await client.user(1001, "张三", username="zhangsan").send_text("/start abc")
    (update,) = await bot.get_updates()
    msg = update.message
    assert msg is not None and msg.from_user is not None
    assert (msg.text, msg.chat.id, msg.chat.type, msg.from_user.id) == (
        "/start abc",
        1001,
        "private",
        1001,
    )
    assert msg.entities is not None and msg.entities[0].type == "bot_command"
    assert msg.entities[0].length == 6


async def test_offset_confirms_earlier_updates(bot: Bot, client: EmulatorClient) -> None:
    user = client.user(1001)
    for text in ("一", "二", "三"):
        await user.send_text(text)
    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["一", "二", "三"]
    assert [u.update_id for u in await bot.get_updates()] == [u.update_id for u in first]
    rest = await bot.get_updates(offset=first[1].update_id)
    assert [u.message.text for u in rest if u.message] == ["二", "三"]
    assert await bot.get_updates(offset=first[-1].update_id + 1) == []


async def test_negative_offset_keeps_only_the_last_updates(bot: Bot, client: EmulatorClient):
    user = client.user(1001)
    for text in ("一", "二", "三"):
        await user.send_text(text)
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["三"]
    assert len(await bot.get_updates()) == 1


async def test_long_poll_returns_as_soon_as_an_update_arrives(bot: Bot, client: EmulatorClient):
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.2)
    assert not poll.done()
    started = asyncio.get_running_loop().time()
    await client.user(1001).send_text("在吗")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message is not None and updates[0].message.text == "在吗"
    assert asyncio.get_running_loop().time() - started < 1


async def test_second_get_updates_terminates_the_first_with_conflict(bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)
    assert await second == []


async def test_get_updates_refused_while_webhook_is_set(bot: Bot) -> None:
    await bot.set_webhook("https://example.com/hook")
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    await bot.delete_webhook()
    assert await bot.get_updates() == []


async def test_allowed_updates_drops_other_update_types(bot: Bot, client: EmulatorClient):
    user = client.user(1001)
    await user.send_text("hi")
    sent = await bot.send_message(1001, "选", reply_markup=kb(("好", "ok")))
    await user.press(sent.message_id, "ok")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query is not None for u in updates] == [True]


async def test_send_message_html_becomes_text_and_utf16_entities(bot: Bot, client: EmulatorClient):
    user = client.user(1001)
    await user.send_text("hi")
    sent = await bot.send_message(
        1001, "  😀<b>紧急</b>：<code>A&amp;B</code>\n", parse_mode="HTML"
    )
    assert sent.text == "😀紧急：A&B"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 2, 2),
        ("code", 5, 3),
    ]
    seen = await user.next_message()
    assert seen["message_id"] == sent.message_id and seen["from_bot"] is True


async def test_text_length_is_limited_to_4096_utf16_units(bot: Bot, client: EmulatorClient):
    await client.user(1001).send_text("hi")
    await bot.send_message(1001, "字" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1001, "字" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1001, "😀" * 2049)  # 4098 UTF-16 units
    await bot.send_message(1001, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")


async def test_empty_text_is_refused(bot: Bot, client: EmulatorClient) -> None:
    await client.user(1001).send_text("hi")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1001, "  <b> </b> ", parse_mode="HTML")


async def test_bad_html_is_refused_with_telegram_reason(bot: Bot, client: EmulatorClient):
    await client.user(1001).send_text("hi")
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "foo" at byte offset 3'):
        await bot.send_message(1001, "ab <foo>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Can't find end tag"):
        await bot.send_message(1001, "<b>未闭合", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Unsupported start tag"):
        await bot.send_message(1001, "评分 < 3", parse_mode="HTML")
    await bot.send_message(1001, "评分 < 3")  # no parse mode: sent as is


async def test_send_to_unknown_chat_is_refused(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hi")


async def test_caption_over_1024_is_refused(bot: Bot, client: EmulatorClient) -> None:
    await client.user(1001).send_text("hi")
    photo = BufferedInputFile(jpeg_bytes(), "p.jpg")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(1001, photo, caption="长" * 1025)
    sent = await bot.send_photo(1001, photo, caption="长" * 1024)
    assert sent.caption == "长" * 1024


async def test_callback_data_over_64_bytes_is_refused(bot: Bot, client: EmulatorClient):
    await client.user(1001).send_text("hi")
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1001, "x", reply_markup=kb(("按钮", "数" * 22)))  # 66 bytes
    await bot.send_message(1001, "x", reply_markup=kb(("按钮", "a" * 64)))


async def test_inline_button_without_action_is_refused(bot: Bot, client: EmulatorClient):
    await client.user(1001).send_text("hi")
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="空")]])
    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await bot.send_message(1001, "x", reply_markup=markup)


async def test_edit_of_missing_message_is_refused(bot: Bot, client: EmulatorClient) -> None:
    user_msg = await client.user(1001).send_text("hi")
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="新", chat_id=1001, message_id=999)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text(text="新", chat_id=1001, message_id=user_msg["message_id"])


async def test_edit_with_same_content_is_not_modified(bot: Bot, client: EmulatorClient):
    user = client.user(1001)
    await user.send_text("hi")
    sent = await bot.send_message(
        1001, "<b>状态</b>", parse_mode="HTML", reply_markup=kb(("a", "a"))
    )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="<b>状态</b>",
            chat_id=1001,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=kb(("a", "a")),
        )
    edited = await bot.edit_message_text(text="已完成", chat_id=1001, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.reply_markup is None
    kinds = [e["kind"] for e in await user.drain(0.1)]
    assert kinds == ["message", "edit"]
    msgs = await user.messages()
    assert msgs[-1]["edit_count"] == 1 and msgs[-1]["text"] == "已完成"


async def test_edit_reply_markup_and_delete(bot: Bot, client: EmulatorClient) -> None:
    user = client.user(1001)
    await user.send_text("hi")
    sent = await bot.send_message(1001, "x", reply_markup=kb(("a", "a")))
    await bot.edit_message_reply_markup(
        chat_id=1001, message_id=sent.message_id, reply_markup=kb(("b", "b"))
    )
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_reply_markup(
            chat_id=1001, message_id=sent.message_id, reply_markup=kb(("b", "b"))
        )
    assert await bot.delete_message(1001, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(1001, sent.message_id)
    assert [e["kind"] for e in await user.drain(0.1)] == ["message", "edit", "delete"]


async def test_answer_callback_query_once_then_too_old(bot: Bot, client: EmulatorClient):
    user = client.user(1001)
    await user.send_text("hi")
    sent = await bot.send_message(1001, "确认？", reply_markup=kb(("确认提交", "confirm:1")))
    message = await user.next_message()
    cq_id = await user.press_button(message, "确认")
    update = (await bot.get_updates())[-1]
    query = update.callback_query
    assert query is not None and query.id == cq_id and query.data == "confirm:1"
    assert query.message is not None and query.message.message_id == sent.message_id
    await bot.answer_callback_query(cq_id, text="已提交", show_alert=True)
    answer = await user.callback_answer(cq_id)
    assert answer is not None and (answer["text"], answer["show_alert"]) == ("已提交", True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(cq_id)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("123")


async def test_press_on_missing_button_refused_unless_forced(bot: Bot, client: EmulatorClient):
    user = client.user(1001)
    await user.send_text("hi")
    sent = await bot.send_message(1001, "x", reply_markup=kb(("a", "a")))
    with pytest.raises(AssertionError, match="no inline button with callback_data 'forged'"):
        await user.press(sent.message_id, "forged")
    await user.press(sent.message_id, "forged", force=True)
    (update,) = [u for u in await bot.get_updates() if u.callback_query]
    assert update.callback_query is not None and update.callback_query.data == "forged"


async def test_send_photo_upload_get_file_and_download_round_trip(
    bot: Bot, client: EmulatorClient
) -> None:
    await client.user(1001).send_text("hi")
    data = jpeg_bytes(1600, 1200)
    sent = await bot.send_photo(1001, BufferedInputFile(data, "p.jpg"), caption="<i>图</i>",
                                parse_mode="HTML")  # fmt: skip
    assert sent.photo is not None and sent.caption == "图"
    largest = sent.photo[-1]
    assert (largest.width, largest.height) == (1600, 1200)
    assert [p.width for p in sent.photo] == [90, 320, 800, 1280, 1600]
    file = await bot.get_file(largest.file_id)
    assert file.file_path is not None and file.file_path.startswith("photos/")
    buf = io.BytesIO()
    await bot.download_file(file.file_path, buf)
    assert buf.getvalue() == data == await client.file_bytes(largest.file_id)
    again = await bot.send_photo(1001, largest.file_id)  # resend by file_id
    assert again.photo is not None and again.photo[-1].file_id == largest.file_id


async def test_photo_url_and_non_image_are_refused(bot: Bot, client: EmulatorClient) -> None:
    await client.user(1001).send_text("hi")
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_photo(1001, "https://example.com/a.jpg")
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(1001, BufferedInputFile(b"not an image", "p.jpg"))


async def test_send_media_group_with_two_uploads(bot: Bot, client: EmulatorClient) -> None:
    user = client.user(1001)
    await user.send_text("hi")
    media: list[MediaUnion] = [
        InputMediaPhoto(media=BufferedInputFile(jpeg_bytes(color="red"), "a.jpg"), caption="两张"),
        InputMediaPhoto(media=BufferedInputFile(jpeg_bytes(color="blue"), "b.jpg")),
    ]
    sent = await bot.send_media_group(1001, media)
    assert len(sent) == 2 and sent[0].media_group_id == sent[1].media_group_id is not None
    assert sent[0].caption == "两张" and sent[1].caption is None
    with pytest.raises(TelegramBadRequest, match="wrong number of media"):
        await bot.send_media_group(1001, media[:1])


async def test_set_my_commands_visible_through_control_api(bot: Bot, client: EmulatorClient):
    await bot.set_my_commands([BotCommand(command="start", description="开始")])
    assert await client.commands() == [{"command": "start", "description": "开始"}]
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start-Now", description="x")])


async def test_reply_keyboard_is_kept_for_the_web_chat_not_in_message(
    bot: Bot, client: EmulatorClient
) -> None:
    user = client.user(1001)
    await user.send_text("hi")
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="分享手机号", request_contact=True)]], resize_keyboard=True
    )
    sent = await bot.send_message(1001, "请分享", reply_markup=markup)
    assert sent.reply_markup is None
    seen = await user.next_message()
    assert seen["sent_reply_markup"]["keyboard"][0][0]["request_contact"] is True


async def test_unknown_method_is_404_and_bad_token_is_401(emu: RunningEmulator) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emu.base_url}/bot{TOKEN}/sendTelepathy") as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.get(f"{emu.base_url}/botnot-a-token/getMe") as resp:
            assert resp.status == 401
            assert (await resp.json())["description"] == "Unauthorized"
        async with http.get(f"{emu.base_url}/bot{TOKEN}/GETME") as resp:
            assert (await resp.json())["result"]["id"] == BOT_ID
        async with http.get(f"{emu.base_url}/file/bot{TOKEN}/photos/none.jpg") as resp:
            assert resp.status == 404


async def test_json_and_query_parameters_are_accepted(emu: RunningEmulator, client):
    await client.user(1001).send_text("hi")
    url = f"{emu.base_url}/bot{TOKEN}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            url, json={"chat_id": 1001, "text": "j", "reply_markup": markup}
        ) as r:
            assert (await r.json())["result"]["reply_markup"] == markup
        async with http.get(url, params={"chat_id": "1001", "text": "q"}) as r:
            assert (await r.json())["result"]["text"] == "q"
        async with http.post(url, data={"chat_id": "1001"}) as r:
            assert r.status == 400
            assert (await r.json())["description"] == "Bad Request: message text is empty"


async def test_request_log_records_errors(bot: Bot, client: EmulatorClient) -> None:
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(777, "hi")
    (entry,) = await client.requests(method="sendMessage", errors_only=True)
    assert entry["error"] == "Bad Request: chat not found" and entry["params"]["chat_id"] == "777"
