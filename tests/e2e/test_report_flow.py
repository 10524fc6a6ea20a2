"""A deputy files a report in chat: guided steps, explained preview, one report per draft."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from bot import texts
from bot.app import Application
from bot.texts import reports as rt
from emulator.client import EmulatorClient
from storage.models import OutboxMessage, Report, ReportPhoto
from tests.e2e.conftest import BotFactory
from tests.e2e.reporting import (
    VAGUE,
    WAGE_ARREARS,
    jpeg_with_exif,
    next_edit,
    to_preview,
    verified,
    write_text,
)


async def _count(app: Application, model: type) -> int:
    async with app.uow_factory() as uow:
        return await uow.session.scalar(select(func.count()).select_from(model)) or 0


async def _only_report(app: Application) -> Report:
    async with app.uow_factory() as uow:
        reports = list(await uow.session.scalars(select(Report)))
    assert len(reports) == 1
    return reports[0]


async def test_happy_path_with_two_photos_and_a_location(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7001)
    photos = [jpeg_with_exif(), jpeg_with_exif()]
    preview = await to_preview(deputy, WAGE_ARREARS, photos, location=(27.2418, 111.4674))
    card = preview["text"]
    assert "反映预览" in card and "照片：2 张" in card and "已定位" in card
    assert "建议承办单位" in card and "判断依据" in card

    await deputy.press_button(preview, "确认提交")
    receipt = await deputy.next_message()
    assert receipt["text"].startswith("已提交！编号 SY")

    report = await _only_report(bot_app)
    assert report.number in receipt["text"] and report.latitude == 27.2418
    async with bot_app.uow_factory() as uow:
        decision = (await uow.reports.decisions(report.id))[0]
        stored = await uow.reports.photos(report.id)
        outbox = list(await uow.session.scalars(select(OutboxMessage)))
    assert decision.classifier_version and decision.tokens and decision.candidates
    assert decision.candidates[0]["evidence"], "the decision keeps its evidence"
    assert decision.department_id == report.department_id
    assert [m.idempotency_key for m in outbox] == [f"report-{report.id}"]
    assert len(stored) == 2


async def test_with_routing_unsure_triage_an_unsure_report_waits_for_the_staff(
    start_bot: BotFactory, client: EmulatorClient
) -> None:
    bot_app = await start_bot(routing_unsure="triage")
    deputy = await verified(client, 7018)
    preview = await to_preview(deputy, VAGUE)
    assert "把握不足" in preview["text"]
    await deputy.press_button(preview, "确认提交")
    receipt = await deputy.next_message()
    assert "人工分派" in receipt["text"]
    report = await _only_report(bot_app)
    assert report.status == "待人工分派" and report.department_id is None
    assert await _count(bot_app, OutboxMessage) == 0  # nothing goes to the hotline unrouted


async def test_stored_photos_carry_no_exif(bot_app: Application, client: EmulatorClient) -> None:
    deputy = await verified(client, 7002)
    preview = await to_preview(deputy, WAGE_ARREARS, [jpeg_with_exif()])
    await deputy.press_button(preview, "确认提交")
    await deputy.next_message()
    async with bot_app.uow_factory() as uow:
        (photo,) = list(await uow.session.scalars(select(ReportPhoto)))
    assert photo.local_path is not None
    data = await asyncio.to_thread(Path(photo.local_path).read_bytes)
    assert b"DeputyPhone" not in data and b"Exif" not in data
    with Image.open(photo.local_path) as image:
        assert dict(image.getexif()) == {}


async def test_text_only_with_skips(bot_app: Application, client: EmulatorClient) -> None:
    deputy = await verified(client, 7003)
    preview = await to_preview(
        deputy, "大祥区红旗路的路灯已经坏了两个星期，晚上行人经过很不安全。"
    )
    assert "照片：0 张" in preview["text"] and "位置：未提供" in preview["text"]
    await deputy.press_button(preview, "确认提交")
    assert "编号" in (await deputy.next_message())["text"]
    assert await _count(bot_app, Report) == 1


async def test_a_typed_address_gives_the_district_but_not_the_department(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7030)
    text = "小区3栋电梯停运两个月了，物业一直不予维修，老人上下楼非常困难，请尽快协调处理。"
    plain = await to_preview(deputy, text)
    await deputy.press_button(plain, "取消")
    await deputy.drain()
    located = await to_preview(deputy, text, address="大祥区城西街道幸福小区3栋")
    assert "所在区县：大祥区 · 城西街道" in located["text"]
    assert "位置：大祥区城西街道幸福小区3栋" in located["text"]

    def suggested(preview: dict[str, Any]) -> str:
        return str(preview["text"]).split("建议承办单位：")[1].split("\n")[0]

    assert suggested(located) == suggested(plain)  # 街道 names a place, not a department


async def test_text_sent_in_several_messages_is_joined(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7004)
    await deputy.send_text("/report")
    await deputy.next_message()
    await deputy.send_text("双清区东风路菜市场门口")
    assert "共 11 字" in (await deputy.next_message())["text"]
    await deputy.send_text("污水横流，气味难闻，请相关部门处理。")
    saved = await deputy.next_message()
    await deputy.press_button(saved, rt.BTN_DONE)
    await deputy.next_message()
    async with bot_app.uow_factory() as uow:
        del uow  # nothing is saved before 确认提交
    assert await _count(bot_app, Report) == 0


async def test_too_short_text_is_refused_with_a_reason(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7005)
    await deputy.send_text("/report")
    await deputy.next_message()
    await deputy.send_text("路灯坏了")
    saved = await deputy.next_message()
    answer_id = await deputy.press_button(saved, rt.BTN_DONE)
    answer = await deputy.callback_answer(answer_id)
    assert answer is not None and "内容太短" in answer["text"]


async def test_deputy_changes_department_from_the_alternatives(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7006)
    preview = await to_preview(deputy, WAGE_ARREARS)
    await deputy.press_button(preview, "更换部门")
    edited = await next_edit(deputy)
    alternatives = [row[0] for row in edited["reply_markup"]["inline_keyboard"][:-2]]
    assert alternatives, "top alternatives are offered"
    chosen = alternatives[0]["text"]
    await deputy.press_button(edited, chosen)
    updated = await next_edit(deputy)
    assert f"建议承办单位：{chosen}（您已选择）" in updated["text"]
    await deputy.press_button(updated, "确认提交")
    await deputy.next_message()
    report = await _only_report(bot_app)
    async with bot_app.uow_factory() as uow:
        decision = (await uow.reports.decisions(report.id))[0]
        department = await uow.directory.department_by_id(report.department_id or 0)
    assert department is not None and department.name == chosen
    assert decision.method == "deputy"


async def test_deputy_browses_the_whole_directory(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7007)
    preview = await to_preview(deputy, WAGE_ARREARS)
    await deputy.press_button(preview, "更换部门")
    edited = await next_edit(deputy)
    await deputy.press_button(edited, rt.BTN_BROWSE)
    page = await next_edit(deputy)
    names = [row[0]["text"] for row in page["reply_markup"]["inline_keyboard"]]
    assert len(names) >= 8 and rt.BTN_NEXT_PAGE in str(page["reply_markup"])


async def test_edit_text_replaces_the_content(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7008)
    preview = await to_preview(deputy, WAGE_ARREARS)
    await deputy.press_button(preview, "修改内容")
    assert (await deputy.next_message())["text"] == rt.ASK_TEXT_AGAIN
    await deputy.send_text("邵东市大禾塘街道某小区物业公司乱收停车费，业主多次投诉无人处理。")
    saved = await deputy.next_message()
    await deputy.press_button(saved, rt.BTN_DONE)
    ask_photos = await deputy.next_message()
    await deputy.press_button(ask_photos, rt.BTN_SKIP)
    await deputy.next_message()
    await deputy.send_text(rt.BTN_SKIP)
    await deputy.next_message()
    appeal = await deputy.next_message()
    await deputy.press_button(appeal, rt.BTN_NEXT)
    new_preview = await deputy.next_message()
    assert "物业公司乱收停车费" in new_preview["text"]
    assert "包工头" not in new_preview["text"]


async def test_cancel_saves_nothing(bot_app: Application, client: EmulatorClient) -> None:
    deputy = await verified(client, 7009)
    preview = await to_preview(deputy, WAGE_ARREARS)
    await deputy.press_button(preview, "取消")
    events = await deputy.drain()
    assert any(e.get("message", {}).get("text") == rt.CANCELLED for e in events)
    assert await _count(bot_app, Report) == 0


async def test_double_confirm_makes_one_report(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7010)
    preview = await to_preview(deputy, WAGE_ARREARS)
    data = next(
        b["callback_data"]
        for row in preview["reply_markup"]["inline_keyboard"]
        for b in row
        if "确认提交" in b["text"]
    )
    first = await deputy.press(preview["message_id"], data)
    second = await deputy.press(preview["message_id"], data, force=True)
    await deputy.callback_answer(first)
    stale = await deputy.callback_answer(second)
    assert stale is not None and rt.STALE in stale["text"]
    assert await _count(bot_app, Report) == 1
    assert await _count(bot_app, OutboxMessage) == 1


async def test_stale_button_changes_nothing(bot_app: Application, client: EmulatorClient) -> None:
    deputy = await verified(client, 7011)
    preview = await to_preview(deputy, WAGE_ARREARS)
    edit_data = next(
        b["callback_data"]
        for row in preview["reply_markup"]["inline_keyboard"]
        for b in row
        if "修改内容" in b["text"]
    )
    await deputy.press_button(preview, "确认提交")
    await deputy.next_message()
    pressed = await deputy.press(preview["message_id"], edit_data, force=True)
    answer = await deputy.callback_answer(pressed)
    assert answer is not None and answer["text"] == rt.STALE
    assert (await _only_report(bot_app)).text == WAGE_ARREARS


async def test_another_deputys_button_is_refused(
    bot_app: Application, client: EmulatorClient
) -> None:
    owner = await verified(client, 7012)
    other = await verified(client, 7013, phone="13807390007")
    preview = await to_preview(owner, WAGE_ARREARS)
    data = preview["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    # A modified client sends the owner's button data from its own chat.
    own_message = [m for m in await other.messages() if m["from_bot"]][-1]
    forged = await other.press(own_message["message_id"], data, force=True)
    answer = await other.callback_answer(forged)
    assert answer is not None and answer["text"].startswith(rt.STALE)
    assert await _count(bot_app, Report) == 0


async def test_emergency_text_in_a_report_is_answered_at_once_before_it_is_recorded(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7014)
    await deputy.send_text("/report")
    await deputy.next_message()
    await deputy.send_text("双清区滑石路一栋居民楼着火了，浓烟很大，里面可能还有人被困！")
    advice = await deputy.next_message()  # first, before the text is even acknowledged
    assert "119" in advice["text"] and "12345 热线不受理" in advice["text"]
    saved = await deputy.next_message()
    assert saved["text"].startswith("已记录")
    await deputy.press_button(saved, rt.BTN_DONE)
    assert (await deputy.next_message())["text"] == rt.ASK_PHOTOS  # warned once, not twice


async def test_emergency_text_outside_any_flow_gets_the_advice_first(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7024)
    await deputy.send_text("小区门口燃气泄漏，味道很大，有人晕倒了")
    advice = await deputy.next_message()
    assert "119" in advice["text"] and "燃气" in advice["text"]
    follow_up = await deputy.next_message()
    assert follow_up["text"] == texts.DANGER_FOLLOW_UP  # not "请使用下方菜单选择功能"
    stranger = client.user(7025)  # not even verified: the advice still comes first
    await stranger.send_text("河边有人溺水了，快来人")
    assert "110" in (await stranger.next_message())["text"]
    assert (await stranger.next_message())["text"] == texts.NOT_BOUND


async def test_quick_photo_with_caption_starts_a_prefilled_report(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7015)
    await deputy.send_photo(jpeg_with_exif(), caption=WAGE_ARREARS)
    reply = await deputy.next_message()
    assert "第 1 张照片" in reply["text"]
    assert "照片说明已作为反映内容" in reply["text"] and WAGE_ARREARS[:20] in reply["text"]


async def test_unbound_user_photo_does_not_start_a_report(
    bot_app: Application, client: EmulatorClient
) -> None:
    stranger = client.user(7016)
    await stranger.send_photo(jpeg_with_exif(), caption=WAGE_ARREARS)
    assert (await stranger.next_message())["text"] == texts.NOT_BOUND


async def test_half_written_draft_survives_a_restart(
    start_bot: BotFactory, client: EmulatorClient
) -> None:
    first = await start_bot()
    deputy = await verified(client, 7017)
    await deputy.send_text("/report")
    await deputy.next_message()
    await deputy.send_text(WAGE_ARREARS)
    saved = await deputy.next_message()
    await first.stop()

    await start_bot()  # a new bot process on the same database
    await deputy.press_button(saved, rt.BTN_DONE)
    assert (await deputy.next_message())["text"] == rt.ASK_PHOTOS


async def test_cancel_command_works_from_any_step(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7019)
    await write_text(deputy, WAGE_ARREARS)  # now in the photo step
    await deputy.send_text("/cancel")
    assert "已取消" in (await deputy.next_message())["text"]
    await deputy.send_photo(jpeg_with_exif())  # outside any flow again: a new 随手拍 draft
    assert "已收到照片" in (await deputy.next_message())["text"]


async def test_draft_in_redis_survives_a_restart(
    start_bot: BotFactory, client: EmulatorClient
) -> None:
    redis = pytest.importorskip("redis.asyncio")
    url = "redis://127.0.0.1:6379/15"
    connection = redis.from_url(url)
    try:
        await connection.flushdb()
    except OSError as error:
        pytest.skip(f"Redis not reachable at {url}: {error}")
    try:
        first = await start_bot(redis_url=url)
        deputy = await verified(client, 7020)
        await deputy.send_text("/report")
        await deputy.next_message()
        await deputy.send_text(WAGE_ARREARS)
        saved = await deputy.next_message()
        assert await connection.dbsize() > 0  # the draft is in Redis, not in memory
        await first.stop()
        await start_bot(redis_url=url)
        await deputy.press_button(saved, rt.BTN_DONE)
        assert (await deputy.next_message())["text"] == rt.ASK_PHOTOS
    finally:
        await connection.flushdb()
        await connection.aclose()


async def test_similar_open_report_is_offered_for_seconding(
    bot_app: Application, client: EmulatorClient
) -> None:
    first = await verified(client, 7021)
    preview = await to_preview(first, WAGE_ARREARS)
    assert "相似反映" not in preview["text"]
    await first.press_button(preview, "确认提交")
    original = (await first.next_message())["text"].split("编号 ")[1].split()[0]

    second = await verified(client, 7022, phone="13807390007")
    retold = "邵东市廉桥镇工地包工头拖欠二十多名农民工工资三万多元一直不给，请人社局尽快追讨。"
    preview = await to_preview(second, retold)
    assert "相似反映已在办理" in preview["text"] and original in preview["text"]
    await second.press_button(preview, "附议此反映")
    receipt = (await second.next_message())["text"]
    assert f"已附议 {original}" in receipt
    async with bot_app.uow_factory() as uow:
        reports = list(await uow.session.scalars(select(Report).order_by(Report.id)))
        outbox = list(await uow.session.scalars(select(OutboxMessage)))
    assert [r.status for r in reports] == ["已提交", "已附议"]
    assert reports[1].joined_report_id == reports[0].id
    assert len(outbox) == 1  # seconding opens no second ticket
