"""HOTLINE_ADAPTER=telegram over the whole loop, on loopback HTTP: the bot posts each ticket as a
card into the operators' group of the Bot API emulator; operators 受理, 退回 with a reason and
答复 with the card's buttons; the deputy is told as with any other adapter and rates the answer.
Replayed, forged and stale taps, and taps of non-members, are refused in Chinese and change
nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.hotline.gateway import PhotoFile, Reporter, TicketRequest
from bot.hotline.telegram import texts as otx
from bot.hotline.telegram.adapter import TelegramHotlineAdapter
from bot.hotline.telegram.cards import OperatorAction
from bot.hotline.telegram.keyboards import TicketButton
from bot.services.routing.triage import TriageService
from bot.services.supervision.desk import SupervisionDesk
from bot.texts import ratings as rtx
from bot.texts import reports as rt
from emulator.client import ChatUser, EmulatorClient
from handlers.notifier import TelegramNotifier
from storage.models import Report, ReportPhoto, SupervisionCase, Ticket, TicketEvent
from tests.e2e.conftest import BotFactory, until
from tests.e2e.reporting import WAGE_ARREARS, jpeg_with_exif, next_edit, to_preview, verified

GROUP: dict[str, Any] = {"id": -1001234500001, "type": "supergroup", "title": "12345 话务员群"}
GROUP_ID: int = GROUP["id"]
ACCEPT = otx.BUTTONS[OperatorAction.ACCEPT]
RETURN = otx.BUTTONS[OperatorAction.RETURN]
ANSWER = otx.BUTTONS[OperatorAction.ANSWER]
CLOSE = otx.BUTTONS[OperatorAction.CLOSE]


@pytest.fixture
async def desk(start_bot: BotFactory) -> Application:
    return await start_bot(hotline_adapter="telegram", operators_chat_id=GROUP_ID)


async def operator(client: EmulatorClient, user_id: int, name: str) -> ChatUser:
    """A member of the operators' group (joining creates the group, as adding the bot would)."""
    member = client.user(user_id, name, username=f"op{user_id}", chat=GROUP)
    await member.set_membership("member")
    return member


async def filed(
    app: Application, client: EmulatorClient, user_id: int, photos: list[bytes] | None = None
) -> tuple[ChatUser, Report]:
    """A deputy's report, delivered: its card is in the group and its ticket recorded."""
    deputy = await verified(client, user_id)
    preview = await to_preview(deputy, WAGE_ARREARS, photos)
    await deputy.press_button(preview, "确认提交")
    assert "编号" in (await deputy.next_message())["text"]

    async def ticket() -> Ticket | None:
        async with app.uow_factory() as uow:
            return await uow.session.scalar(select(Ticket))

    await until(ticket, "the ticket card to be posted and recorded")
    async with app.uow_factory() as uow:
        report = await uow.session.scalar(select(Report))
    assert report is not None
    return deputy, report


def labels(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def data_of(message: dict[str, Any], label: str) -> str:
    rows = message["reply_markup"]["inline_keyboard"]
    return str(next(b["callback_data"] for row in rows for b in row if b["text"] == label))


async def tap(user: ChatUser, message: dict[str, Any], label: str) -> str:
    """Press a button the message shows; what the bot answered on it."""
    answer = await user.callback_answer(await user.press_button(message, label))
    assert answer is not None, f"no answer to {label}"
    return str(answer["text"])


async def replay(user: ChatUser, message_id: int, data: str) -> str:
    """Send callback data whether or not the message (still) shows such a button."""
    answer = await user.callback_answer(await user.press(message_id, data, force=True))
    assert answer is not None, f"no answer to {data}"
    return str(answer["text"])


async def events(app: Application) -> list[tuple[str, str, str]]:
    """The ticket's timeline: (status, actor, note)."""
    async with app.uow_factory() as uow:
        rows = await uow.session.scalars(select(TicketEvent).order_by(TicketEvent.id))
        return [(e.status, e.actor, e.note) for e in rows]


async def message_in(user: ChatUser, message_id: int) -> dict[str, Any]:
    return next(m for m in await user.messages() if m["message_id"] == message_id)


async def test_operators_accept_and_answer_and_the_deputy_rates(
    desk: Application, client: EmulatorClient
) -> None:
    wang = await operator(client, 9101, "王话务")
    deputy, report = await filed(desk, client, 7501)
    external = f"TG-{report.number}"
    card = await wang.next_message()
    assert "12345 新工单" in card["text"] and external in card["text"]
    assert "邵阳市人力资源和社会保障局" in card["text"] and "拖欠" in card["text"]
    assert labels(card) == [ACCEPT, RETURN]

    assert await tap(wang, card, ACCEPT) == otx.ACCEPTED
    assert "热线受理" in (await deputy.next_message())["text"]
    card = await next_edit(wang)
    assert "已受理" in card["text"] and "王话务" in card["text"]
    assert labels(card) == [ANSWER, RETURN]

    assert await tap(wang, card, ANSWER) == otx.ASKED
    prompt = await wang.next_message()
    assert "答复内容" in prompt["text"] and external in prompt["text"]
    assert prompt["sent_reply_markup"]["force_reply"] is True
    assert prompt["reply_to_message"]["message_id"] == card["message_id"]
    await wang.send_text("好", reply_to_message_id=prompt["message_id"])
    assert (await wang.next_message())["text"] == otx.text_too_short(OperatorAction.ANSWER)
    answer = "已责令包工头三日内结清全部工资，人社局劳动监察大队跟踪落实。"
    await wang.send_text(answer, reply_to_message_id=prompt["message_id"])
    card = await next_edit(wang)
    assert "已答复" in card["text"] and labels(card) == [CLOSE]
    assert (await wang.next_message())["text"] == otx.done(OperatorAction.ANSWER, external)
    assert (await message_in(wang, prompt["message_id"]))["deleted"]  # it served its purpose
    notice = await deputy.next_message()
    assert "已答复" in notice["text"] and answer in notice["text"]
    assert labels(notice) == [rtx.BTN_SATISFIED, rtx.BTN_BASICALLY, rtx.BTN_UNSATISFIED]

    # 不满意 sends the same ticket back: a fresh 重办 card, the answered card's button goes.
    await deputy.press_button(notice, rtx.BTN_UNSATISFIED)
    assert "不满意的原因" in (await deputy.next_message())["text"]
    await deputy.send_text("工资至今仍未发放")
    assert "重办" in (await deputy.next_message())["text"]
    again = await wang.next_message(timeout=10)
    assert "12345 重办工单" in again["text"] and "工资至今仍未发放" in again["text"]
    assert again["reply_to_message"]["message_id"] == card["message_id"]
    assert labels(again) == [ANSWER, RETURN]
    assert "重新办理" in (await deputy.next_message(timeout=10))["text"]
    assert labels(await message_in(wang, card["message_id"])) == []
    assert await replay(wang, card["message_id"], data_of(card, CLOSE)) == otx.STALE_CARD

    timeline = await events(desk)
    assert [status for status, _, _ in timeline] == ["已受理", "已答复", "办理中"]
    assert timeline[1] == ("已答复", "王话务 @op9101", answer)
    async with desk.uow_factory() as uow:
        ticket = await uow.session.scalar(select(Ticket))
        refreshed = await uow.session.get(Report, report.id)
    assert ticket is not None and ticket.external_id == external and ticket.reopen_count == 1
    assert refreshed is not None and refreshed.status == "已重办"


async def test_a_return_goes_to_triage_with_its_reason_and_a_reroute_posts_a_fresh_card(
    desk: Application, client: EmulatorClient
) -> None:
    li = await operator(client, 9201, "李话务")
    deputy, report = await filed(desk, client, 7502)
    external = f"TG-{report.number}"
    first = await li.next_message()

    assert await tap(li, first, RETURN) == otx.ASKED
    prompt = await li.next_message()
    assert "退回原因" in prompt["text"]
    reason = "该事项属于城市管理范畴，请改派城管部门。"
    await li.send_text(reason, reply_to_message_id=prompt["message_id"])
    card = await next_edit(li)
    assert "已退回（待人工分派）" in card["text"] and labels(card) == []
    assert (await li.next_message())["text"] == otx.done(OperatorAction.RETURN, external)
    told = (await deputy.next_message())["text"]
    assert "退回" in told and reason in told

    async with desk.uow_factory() as uow:
        queue = await TriageService(uow).queue(1)
    (row,) = [r for r in queue.rows if r.report_id == report.id]
    assert row.returned and row.return_note == reason

    async with desk.uow_factory() as uow:  # the admin's 改派 from the triage queue
        assigned = await TriageService(uow).assign(report.id, "CG", actor="admin:test")
    assert assigned.rerouted
    rerouted = await li.next_message(timeout=10)
    assert (
        "12345 改派工单" in rerouted["text"] and "邵阳市城市管理和综合执法局" in rerouted["text"]
    )
    assert labels(rerouted) == [ACCEPT, RETURN]
    assert "改派" in (await deputy.next_message(timeout=10))["text"]

    # The first card's buttons (long gone from it) act no more; the fresh card's do.
    assert await replay(li, first["message_id"], data_of(first, ACCEPT)) == otx.STALE_CARD
    assert await tap(li, rerouted, ACCEPT) == otx.ACCEPTED
    assert "热线受理" in (await deputy.next_message())["text"]
    assert [status for status, _, _ in await events(desk)] == ["退回", "改派", "已受理"]


async def test_replayed_forged_and_outsider_taps_change_nothing(
    desk: Application, client: EmulatorClient
) -> None:
    wang, zhao = await operator(client, 9301, "王话务"), await operator(client, 9302, "赵话务")
    passerby = client.user(9399, "路人", chat=GROUP)  # reads the public group, never joined
    deputy, report = await filed(desk, client, 7503)
    card = await wang.next_message()
    accept = data_of(card, ACCEPT)

    assert await tap(passerby, card, ACCEPT) == otx.NOT_OPERATOR
    # Two operators tap 受理 at once: one acts, the other is told it is done.
    answers = await asyncio.gather(tap(wang, card, ACCEPT), tap(zhao, card, ACCEPT))
    refused = {otx.DUPLICATE, otx.not_allowed("已受理", OperatorAction.ACCEPT)}
    assert answers.count(otx.ACCEPTED) == 1 and len(refused & set(answers)) == 1, answers
    assert await replay(wang, card["message_id"], accept) == otx.not_allowed(
        "已受理", OperatorAction.ACCEPT
    )
    await zhao.set_membership("left")  # no longer an operator
    assert await replay(zhao, card["message_id"], data_of(card, RETURN)) == otx.NOT_OPERATOR

    forged = TicketButton(report_id=report.id + 1, action="a").pack()  # no such report
    assert await replay(wang, card["message_id"], forged) == otx.UNKNOWN_TICKET
    junk = TicketButton(report_id=report.id, action="x").pack()
    assert await replay(wang, card["message_id"], junk) == otx.STALE_BUTTON
    own = [m for m in await deputy.messages() if m["from_bot"]][-1]
    assert await replay(deputy, own["message_id"], accept) == otx.WRONG_CHAT

    # A prompt cancelled is a prompt closed: a late reply to it changes nothing.
    edited = await next_edit(wang)
    assert await tap(wang, edited, ANSWER) == otx.ASKED
    prompt = await wang.next_message()
    await wang.send_text("/cancel")
    assert (await wang.next_message())["text"] == otx.CANCELLED
    await wang.send_text("迟到的答复内容", reply_to_message_id=prompt["message_id"])

    await asyncio.sleep(0.5)
    assert [status for status, _, _ in await events(desk)] == ["已受理"]
    told = [m["text"] for m in await deputy.messages() if m["from_bot"]]
    assert sum("热线受理" in text for text in told) == 1
    assert not any("已答复" in text for text in told)


async def test_photos_urge_and_withdrawal_reach_the_group_and_a_retry_posts_nothing_twice(
    desk: Application, client: EmulatorClient
) -> None:
    wang = await operator(client, 9401, "王话务")
    deputy, report = await filed(desk, client, 7504, photos=[jpeg_with_exif()])
    card = await wang.next_message()
    photo = await wang.next_message()
    assert "现场照片：1 张" in card["text"]
    assert photo["photo"] and photo["reply_to_message"]["message_id"] == card["message_id"]

    # The outbox delivers at least once: a repeated create finds its card and its photos.
    async with desk.uow_factory() as uow:
        stored = list(await uow.session.scalars(select(ReportPhoto)))
    assert len(stored) == 1 and stored[0].local_path
    adapter = TelegramHotlineAdapter(
        desk.bot, GROUP_ID, desk.uow_factory, TelegramNotifier(desk.bot)
    )
    request = TicketRequest(
        idempotency_key=f"report-{report.id}",
        report_number=report.number,
        department_code="RS",
        summary=report.summary,
        text=report.text,
        appeal_type=report.appeal_type,
        urgency=report.urgency,
        reporter=Reporter(name="代表", phone="13807390006"),
        photos=tuple(PhotoFile(Path(p.local_path or ""), "1.jpg") for p in stored),
    )
    receipt = await adapter.create_ticket(request)
    assert receipt.external_id == f"TG-{report.number}"

    await deputy.send_text("/my")
    listing = await deputy.next_message()
    await deputy.press_button(listing, report.number)
    detail = await next_edit(deputy)
    await tap(deputy, detail, rtx.BTN_URGE)
    assert "催办" in (await deputy.next_message())["text"]
    urge = await wang.next_message(timeout=10)
    assert "催办" in urge["text"] and urge["reply_to_message"]["message_id"] == card["message_id"]

    await deputy.press_button(detail, rt.BTN_WITHDRAW)
    confirm = await next_edit(deputy)
    await tap(deputy, confirm, rt.BTN_CONFIRM_WITHDRAW)
    assert (await deputy.next_message())["text"].startswith("已撤回反映")
    withdrawn = await wang.next_message(timeout=10)
    assert "已撤回" in withdrawn["text"]
    assert withdrawn["reply_to_message"]["message_id"] == card["message_id"]
    now = await message_in(wang, card["message_id"])
    assert "已撤回" in now["text"] and labels(now) == []
    assert await replay(wang, card["message_id"], data_of(card, ACCEPT)) == otx.not_allowed(
        "已撤回", OperatorAction.ACCEPT
    )
    posted = [m for m in await wang.messages() if m["from_bot"]]
    assert len(posted) == 4  # card, photo, 催办, 撤回: the repeated create posted nothing
    assert await events(desk) == []


async def test_a_supervision_notice_reaches_the_operators_group_under_the_card(
    desk: Application, client: EmulatorClient
) -> None:
    wang = await operator(client, 9402, "王话务")
    deputy, report = await filed(desk, client, 7505)
    card = await wang.next_message()
    async with desk.uow_factory() as uow:
        uow.session.add(SupervisionCase(report_id=report.id, reasons=["flagged"]))
        await uow.commit()
        case = await uow.session.scalar(select(SupervisionCase))
    assert case is not None
    async with desk.uow_factory() as uow:
        done = await SupervisionDesk(uow, TelegramNotifier(desk.bot)).start(
            case.id, datetime(2099, 1, 5, 9, 30, tzinfo=UTC), "请限期办结", actor="console:wang"
        )
    assert done.told
    assert "发起督办" in (await deputy.next_message())["text"]
    notice = await wang.next_message(timeout=10)
    assert "督办" in notice["text"] and "2099-01-05 17:30" in notice["text"]
    assert "请限期办结" in notice["text"]
    assert notice["reply_to_message"]["message_id"] == card["message_id"]
