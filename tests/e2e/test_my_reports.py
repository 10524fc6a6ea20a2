"""我的反映: the deputy finds each report again, with its timeline, and may withdraw it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import Application
from bot.texts import reports as rt
from emulator.client import ChatUser, EmulatorClient
from handlers.reporting.keyboards import MyAction
from intake import RunningIntake
from storage.models import OutboxMessage, Report
from tests.e2e.conftest import until
from tests.e2e.reporting import (
    WAGE_ARREARS,
    filed_at_intake,
    jpeg_with_exif,
    next_edit,
    to_preview,
    verified,
)


async def _file(client: EmulatorClient, user_id: int) -> tuple[ChatUser, str]:
    deputy = await verified(client, user_id)
    preview = await to_preview(deputy, WAGE_ARREARS)
    await deputy.press_button(preview, "确认提交")
    receipt = (await deputy.next_message())["text"]
    return deputy, receipt.split("编号 ")[1].split()[0]


async def _open_detail(deputy: ChatUser, number: str) -> dict[str, object]:
    await deputy.send_text("/my")
    listing = await deputy.next_message()
    assert number in listing["text"] and "📨" in listing["text"]
    await deputy.press_button(listing, number)
    return await next_edit(deputy)


async def test_my_reports_lists_the_report_and_shows_its_timeline(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy, number = await _file(client, 7101)
    detail = await _open_detail(deputy, number)
    text = str(detail["text"])
    assert number in text and "办理进度" in text
    assert "代表提交反映" in text and "分派至" in text


async def test_withdraw_before_the_hotline_accepts(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy, number = await _file(client, 7102)
    detail = await _open_detail(deputy, number)
    await deputy.press_button(detail, rt.BTN_WITHDRAW)
    confirm = await next_edit(deputy)
    await deputy.press_button(confirm, rt.BTN_CONFIRM_WITHDRAW)
    after = await next_edit(deputy)
    assert "已撤回" in after["text"]
    async with bot_app.uow_factory() as uow:
        (report,) = list(await uow.session.scalars(select(Report)))
        (message,) = list(await uow.session.scalars(select(OutboxMessage)))
    assert report.status == "已撤回"
    assert message.status == "cancelled"  # the undelivered hotline message never goes out


async def test_another_deputys_report_is_refused(
    bot_app: Application, client: EmulatorClient
) -> None:
    await _file(client, 7103)
    async with bot_app.uow_factory() as uow:
        (report,) = list(await uow.session.scalars(select(Report)))
    other = await verified(client, 7104, phone="13807390007")
    own_message = [m for m in await other.messages() if m["from_bot"]][-1]
    for action in ("view", "withdraw", "withdraw_ok"):
        data = MyAction(action=action, report_id=report.id).pack()
        forged = await other.press(own_message["message_id"], data, force=True)
        answer = await other.callback_answer(forged)
        assert answer is not None and answer["text"] == rt.NOT_YOUR_REPORT, action
    async with bot_app.uow_factory() as uow:
        assert (await uow.reports.get(report.id)).status == "已提交"  # type: ignore[union-attr]


async def test_withdrawal_asks_for_a_reason_and_passes_it_to_the_hotline(
    looped: Application, client: EmulatorClient, intake: RunningIntake
) -> None:
    deputy, number, ticket_no = await filed_at_intake(client, intake, 7105)
    detail = await _open_detail(deputy, number)
    await deputy.press_button(detail, rt.BTN_WITHDRAW)
    confirm = await next_edit(deputy)
    assert "撤回原因" in confirm["text"] and "选填" in confirm["text"]
    await deputy.send_text("   ")
    assert (await deputy.next_message())["text"] == rt.WITHDRAW_REASON_EXPECTED
    await deputy.send_text("问题已由社区协调解决")
    told = await deputy.next_message()  # a message that stays, not a toast
    assert told["text"].startswith("已撤回反映") and number in told["text"]
    assert "撤回原因已转告 12345 热线" in told["text"]

    async def withdrawn_at_intake() -> list[Any]:
        ticket = await intake.store.get(ticket_no)
        assert ticket is not None
        events = await intake.store.events_for(ticket["id"])
        return [e for e in events if e["action"] == "withdraw"]

    (event,) = await until(withdrawn_at_intake, "the intake to record the 撤回")
    assert "问题已由社区协调解决" in str(event["note"])
    card = next(m for m in await deputy.messages() if m["message_id"] == detail["message_id"])
    assert "已撤回" in card["text"] and rt.BTN_WITHDRAW not in str(card.get("reply_markup"))


async def test_the_reports_photos_can_be_opened_from_my_reports(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 7106)
    preview = await to_preview(deputy, WAGE_ARREARS, [jpeg_with_exif(), jpeg_with_exif()])
    await deputy.press_button(preview, "确认提交")
    number = (await deputy.next_message())["text"].split("编号 ")[1].split()[0]
    detail = await _open_detail(deputy, number)
    await deputy.press_button(detail, rt.photos_button(2))
    first, second = await deputy.next_message(), await deputy.next_message()
    assert first["photo"] and second["photo"] and number in first["caption"]
    assert first["media_group_id"] == second["media_group_id"]
