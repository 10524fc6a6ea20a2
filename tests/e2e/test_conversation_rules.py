"""The rules every conversation keeps: only the current question has live buttons (on every
path), one set of input limits (nothing empty, minimums count words not emoji, the summary is
the gist), and a shared location named by district and town."""

from __future__ import annotations

from typing import Any

from bot.app import Application
from bot.texts import ratings as rtx
from bot.texts import reports as rt
from emulator.client import ChatUser, EmulatorClient
from intake import RunningIntake
from tests.e2e.reporting import (
    answered_at_intake,
    filed_at_intake,
    jpeg_with_exif,
    to_preview,
    verified,
)


def _labels(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def _live_buttons(user: ChatUser) -> dict[int, list[str]]:
    """Every bot message in the chat that still has buttons, by id."""
    return {
        m["message_id"]: _labels(m) for m in await user.messages() if m["from_bot"] and _labels(m)
    }


async def test_only_the_current_question_keeps_its_buttons_through_the_whole_flow(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7501)
    await deputy.send_text("/report")
    await deputy.next_message()
    await deputy.send_text("邵东市廉桥镇一个工地的包工头")
    first = await deputy.next_message()
    await deputy.send_text("拖欠我们二十多名农民工工资三万多元，请人社局帮忙追讨。")
    second = await deputy.next_message()
    assert list(await _live_buttons(deputy)) == [second["message_id"]]  # not the first 完成

    await deputy.press_button(second, rt.BTN_DONE)
    ask_photos = await deputy.next_message()
    await deputy.send_photo(jpeg_with_exif())
    photo_saved = await deputy.next_message()
    assert list(await _live_buttons(deputy)) == [photo_saved["message_id"]]

    # A press on an older prompt (a stale client) is answered as stale and loses its buttons.
    done = first["reply_markup"]["inline_keyboard"][0][0]["callback_data"]  # same draft
    old = await deputy.press(first["message_id"], done, force=True)
    answer = await deputy.callback_answer(old)
    assert answer is not None and answer["text"].startswith(rt.STALE)
    assert ask_photos["message_id"] not in await _live_buttons(deputy)
    assert list(await _live_buttons(deputy)) == [photo_saved["message_id"]]  # still on photos

    await deputy.press_button(photo_saved, rt.BTN_SKIP)
    await deputy.next_message()  # where?
    await deputy.send_text(rt.BTN_SKIP)
    await deputy.next_message()
    appeal = await deputy.next_message()
    assert list(await _live_buttons(deputy)) == [appeal["message_id"]]
    await deputy.press_button(appeal, rt.BTN_NEXT)
    preview = await deputy.next_message()
    assert list(await _live_buttons(deputy)) == [preview["message_id"]]
    await deputy.press_button(preview, "确认提交")
    await deputy.next_message()
    assert await _live_buttons(deputy) == {}  # filed: nothing left to press


async def test_cancel_and_start_take_the_live_buttons_away(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7502)
    for command in ("/cancel", "/start"):
        await deputy.send_text("/report")
        await deputy.next_message()
        assert await _live_buttons(deputy)
        await deputy.send_text(command)
        await deputy.next_message()
        assert await _live_buttons(deputy) == {}, command


async def test_unsatisfied_takes_the_rating_buttons_away_and_cancel_gives_them_back(
    looped: Application, client: EmulatorClient, intake: RunningIntake
) -> None:
    deputy, number, ticket_no = await filed_at_intake(client, intake, 7503)
    notice = await answered_at_intake(deputy, intake, ticket_no, "已协调处理。")
    await deputy.press_button(notice, rtx.BTN_UNSATISFIED)
    ask = await deputy.next_message()
    assert number in ask["text"]
    assert notice["message_id"] not in await _live_buttons(deputy)  # as after 满意

    await deputy.send_text("/cancel")  # the reason is given up: the rating is still to come
    await deputy.next_message()
    live = await _live_buttons(deputy)
    assert live[notice["message_id"]] == [
        rtx.BTN_SATISFIED,
        rtx.BTN_BASICALLY,
        rtx.BTN_UNSATISFIED,
    ]

    await deputy.press_button(notice, rtx.BTN_UNSATISFIED)
    await deputy.next_message()
    await deputy.send_text("工资至今仍未发放")
    assert "重办" in (await deputy.next_message())["text"]
    assert await _live_buttons(deputy) == {}


async def test_whitespace_and_emoji_do_not_make_a_report(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7504)
    await deputy.send_text("/report")
    await deputy.next_message()
    await deputy.send_text("   \n\u3000 ")
    assert (await deputy.next_message())["text"] == rt.TEXT_EMPTY  # not "已记录（共 0 字）"
    await deputy.send_text("😀😀😀😡😡😀😀😀😡😡😀")
    assert (await deputy.next_message())["text"] == rt.TEXT_EMPTY
    await deputy.send_text("😀😀😀😡😡 路灯坏了")
    saved = await deputy.next_message()
    answer = await deputy.callback_answer(await deputy.press_button(saved, rt.BTN_DONE))
    assert answer is not None and "有效文字 4 个" in answer["text"]


async def test_the_preview_summary_is_the_gist_of_every_line(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7505)
    text = "😀😀😀😡😡\n大祥区红旗路路灯坏了\n晚上老人摔倒"
    preview = await to_preview(deputy, text)
    assert "内容摘要：大祥区红旗路路灯坏了；晚上老人摔倒（共" in preview["text"]


async def test_a_shared_location_is_named_by_district_and_town(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7506)
    text = "小区门口的路灯坏了两个星期，晚上老人出门很不方便，请尽快维修。"
    preview = await to_preview(deputy, text, location=(27.2366, 111.4664))
    assert "位置：已定位 大祥区 · 红旗路街道（27.2366, 111.4664）" in preview["text"]
    assert "所在区县：大祥区 · 红旗路街道" in preview["text"]
    saved = [m["text"] for m in await deputy.messages() if m.get("text", "").startswith("位置已")]
    assert saved == ["位置已记录：大祥区 · 红旗路街道。"]
    await deputy.press_button(preview, "确认提交")
    assert "编号" in (await deputy.next_message())["text"]


async def test_a_quick_photo_says_its_caption_became_the_text(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7507)
    await deputy.send_photo(jpeg_with_exif(), caption="路灯坏了")  # too short to go on
    reply = await deputy.next_message()
    assert "照片说明已作为反映内容" in reply["text"] and "有效文字 4 个" in reply["text"]
    await deputy.send_text("两个星期了，晚上老人出门很不方便")
    saved = await deputy.next_message()
    await deputy.press_button(saved, rt.BTN_DONE)
    assert "第 1 张照片" in (await deputy.next_message())["text"]
