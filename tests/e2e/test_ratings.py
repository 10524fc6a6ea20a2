"""满意度评价 and 催办 over the whole loop: the deputy rates the answer from the notice's
buttons, a first 不满意 sends the ticket back to the reference 12345 intake for 重办, and 催办
reaches it once a day."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.app import Application
from bot.services.feedback.urging import UrgeOutcome, UrgeService
from bot.texts import ratings as rtx
from bot.texts import reports as rt
from emulator.client import ChatUser, EmulatorClient
from handlers.feedback.rating_keyboards import RateAction
from handlers.reporting.keyboards import MyAction
from intake.server import RunningIntake
from storage.base import utcnow
from storage.models import OutboxMessage, Rating, Report, Ticket
from tests.e2e.conftest import until
from tests.e2e.reporting import (
    WAGE_ARREARS,
    answered_at_intake,
    filed_at_intake,
    next_edit,
    to_preview,
    verified,
)


async def _file(
    app: Application, client: EmulatorClient, intake: RunningIntake, user_id: int
) -> tuple[ChatUser, str, str]:
    """A filed report whose ticket both sides know: (deputy, report number, ticket number)."""
    filed = await filed_at_intake(client, intake, user_id)

    async def bot_ticket() -> Ticket | None:
        async with app.uow_factory() as uow:
            return await uow.session.scalar(select(Ticket))

    await until(bot_ticket, "the bot to record the ticket")
    return filed


def _labels(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def _ratings(app: Application) -> list[Rating]:
    async with app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Rating).order_by(Rating.id)))


async def _rate_unsatisfied(
    deputy: ChatUser, notice: dict[str, Any], reason: str, number: str
) -> str:
    await deputy.press_button(notice, rtx.BTN_UNSATISFIED)
    ask = await deputy.next_message()
    # Several answers may wait for a rating: the question says which report it is about.
    assert "不满意的原因" in ask["text"] and number in ask["text"]
    await deputy.send_text(reason)
    return str((await deputy.next_message())["text"])


async def test_satisfied_from_the_answer_notice_is_stored_once(
    looped: Application, client: EmulatorClient, intake: RunningIntake
) -> None:
    deputy, number, ticket_no = await _file(looped, client, intake, 7301)
    notice = await answered_at_intake(deputy, intake, ticket_no, "已责令包工头三日内结清工资。")
    assert _labels(notice) == [rtx.BTN_SATISFIED, rtx.BTN_BASICALLY, rtx.BTN_UNSATISFIED]

    await deputy.press_button(notice, rtx.BTN_SATISFIED)
    thanks = await deputy.next_message()
    assert "感谢您的评价" in thanks["text"] and number in thanks["text"]
    (rating,) = await _ratings(looped)
    assert (rating.score, rating.round, rating.comment) == ("满意", 1, "")

    # The same button again (the markup is gone, a stale client may still send it).
    data = RateAction(report_id=rating.report_id, round=1, score=1).pack()
    again = await deputy.press(notice["message_id"], data, force=True)
    answer = await deputy.callback_answer(again)
    assert answer is not None and answer["text"] == rtx.ALREADY_RATED
    assert len(await _ratings(looped)) == 1


async def test_unsatisfied_reopens_once_then_goes_to_the_staff(
    looped: Application, client: EmulatorClient, intake: RunningIntake
) -> None:
    deputy, number, ticket_no = await _file(looped, client, intake, 7302)
    notice = await answered_at_intake(deputy, intake, ticket_no, "已协调处理。")

    told = await _rate_unsatisfied(deputy, notice, "工资至今仍未发放，<答复不实>", number)
    assert "重办" in told and number in told

    async def reopened() -> bool:
        ticket = await intake.store.get(ticket_no)
        return ticket is not None and ticket["reopen_count"] == 1

    await until(reopened, "the intake to reopen the ticket")
    at_intake = await intake.store.get(ticket_no)
    assert at_intake is not None and at_intake["status"] == "办理中"
    assert "重新办理" in (await deputy.next_message(timeout=15))["text"]  # the intake's callback
    (rating,) = await _ratings(looped)
    assert (rating.score, rating.round) == ("不满意", 1)
    assert rating.comment == "工资至今仍未发放，<答复不实>"

    # Round 2: the next answer is rated again; a second 不满意 does not reopen again.
    second = await answered_at_intake(deputy, intake, ticket_no, "已再次督促。", first=False)
    told = await _rate_unsatisfied(deputy, second, "仍未解决", number)
    assert "工作人员将跟进" in told
    await asyncio.sleep(2.5)  # one idle pass of the outbox worker: nothing more goes out
    at_intake = await intake.store.get(ticket_no)
    assert at_intake is not None
    assert (at_intake["reopen_count"], at_intake["status"]) == (1, "已答复")
    assert [(r.score, r.round) for r in await _ratings(looped)] == [("不满意", 1), ("不满意", 2)]
    async with looped.uow_factory() as uow:
        ticket = await uow.session.scalar(select(Ticket))
        kinds = list(await uow.session.scalars(select(OutboxMessage.kind)))
    assert ticket is not None and ticket.reopen_count == 1 and ticket.escalated
    assert kinds.count("reopen") == 1

    # A round-1 button pressed now is not a third rating.
    data = RateAction(report_id=rating.report_id, round=1, score=0).pack()
    stale = await deputy.callback_answer(
        await deputy.press(notice["message_id"], data, force=True)
    )
    assert stale is not None and stale["text"] == rtx.ALREADY_RATED


async def test_another_deputys_rating_and_urge_buttons_are_refused(
    bot_app: Application, client: EmulatorClient
) -> None:
    owner = await verified(client, 7303)
    preview = await to_preview(owner, WAGE_ARREARS)
    await owner.press_button(preview, "确认提交")
    await owner.next_message()
    async with bot_app.uow_factory() as uow:
        (report,) = list(await uow.session.scalars(select(Report)))
    other = await verified(client, 7304, phone="13807390007")
    own_message = [m for m in await other.messages() if m["from_bot"]][-1]
    for data in (
        RateAction(report_id=report.id, round=1, score=0).pack(),
        RateAction(report_id=report.id, round=1, score=2).pack(),
        MyAction(action="urge", report_id=report.id).pack(),
    ):
        forged = await other.press(own_message["message_id"], data, force=True)
        answer = await other.callback_answer(forged)
        assert answer is not None and answer["text"] == rt.NOT_YOUR_REPORT, data
    # The owner's own button, before any answer, is simply not rateable yet.
    early = await owner.press(
        own_message["message_id"],
        RateAction(report_id=report.id, round=1, score=0).pack(),
        force=True,
    )
    answer = await owner.callback_answer(early)
    assert answer is not None and answer["text"] == rtx.NOT_RATEABLE
    assert await _ratings(bot_app) == []


async def test_urge_reaches_the_hotline_once_a_day(
    looped: Application, client: EmulatorClient, intake: RunningIntake
) -> None:
    deputy, number, ticket_no = await _file(looped, client, intake, 7305)
    await deputy.send_text("/my")
    listing = await deputy.next_message()
    await deputy.press_button(listing, number)
    detail = await next_edit(deputy)
    assert rtx.BTN_URGE in _labels(detail)

    await deputy.press_button(detail, rtx.BTN_URGE)
    told = await deputy.next_message()  # what happened stays in the chat, not a toast
    assert told["text"].startswith("⏰ 已就反映") and number in told["text"]
    again = await deputy.callback_answer(await deputy.press_button(detail, rtx.BTN_URGE))
    assert again is not None and again["text"] == rtx.URGED_TODAY

    async def urged() -> bool:
        ticket = await intake.store.get(ticket_no)
        assert ticket is not None
        events = await intake.store.events_for(ticket["id"])
        return [e["action"] for e in events].count("urge") == 1

    await until(urged, "the intake to record the 催办")
    async with looped.uow_factory() as uow:
        kinds = list(await uow.session.scalars(select(OutboxMessage.kind)))
        (report,) = list(await uow.session.scalars(select(Report)))
        deputy_id = report.deputy_id
        # Tomorrow (China time) the deputy may urge again.
        tomorrow = await UrgeService(uow).urge(
            deputy_id, report.id, actor="test", now=utcnow() + timedelta(days=1)
        )
    assert kinds.count("urge") == 1
    assert tomorrow is UrgeOutcome.URGED
