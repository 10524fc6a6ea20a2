"""复发 回访 over the whole loop, on loopback HTTP: the reference 12345 intake answers and closes
a report, the bot asks the deputy whether the problem came back, 复发了 reopens the *same*
intake ticket, and a replayed button changes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import Application
from bot.texts import recurrence as dtx
from bot.texts import reports as rt
from emulator.client import ChatUser, EmulatorClient
from handlers.feedback.recurrence_keyboards import RecurrenceAction
from intake.server import RunningIntake
from storage.models import OutboxMessage, Report, ReportStatus, Ticket
from tests.e2e.conftest import HOTLINE_SECRET, BotFactory, until
from tests.e2e.reporting import OPERATOR, answered_at_intake, filed_at_intake, verified


@pytest.fixture
async def revisiting(
    start_bot: BotFactory, intake: RunningIntake, bot_web_port: int
) -> Application:
    """The bot wired to the intake, asking about recurrence right after 已办结."""
    return await start_bot(
        hotline_url=intake.base_url,
        hotline_secret=SecretStr(HOTLINE_SECRET),
        web_port=bot_web_port,
        recurrence_check_days=0,
        deadline_watch_seconds=0.2,
    )


async def file_and_close(
    client: EmulatorClient, intake: RunningIntake, user_id: int
) -> tuple[ChatUser, str, str]:
    """A report answered and closed at the intake: (deputy, report number, ticket number)."""
    deputy, number, ticket_no = await filed_at_intake(client, intake, user_id)
    await answered_at_intake(deputy, intake, ticket_no, "已责令包工头结清工资。")
    await intake.store.act(ticket_no, "close", operator=OPERATOR)
    return deputy, number, ticket_no


async def next_two(deputy: ChatUser) -> tuple[dict[str, Any], dict[str, Any]]:
    """The 已办结 notice and the 回访 question, in whichever order they raced out."""
    messages = [await deputy.next_message(timeout=15) for _ in range(2)]
    questions = [m for m in messages if "办结回访" in m["text"]]
    closed = [m for m in messages if "已办结" in m["text"] and "办结回访" not in m["text"]]
    assert len(questions) == 1 and len(closed) == 1, [m["text"] for m in messages]
    return closed[0], questions[0]


async def test_recurrence_reopens_the_same_intake_ticket_and_a_replay_changes_nothing(
    revisiting: Application, client: EmulatorClient, intake: RunningIntake
) -> None:
    deputy, number, ticket_no = await file_and_close(client, intake, 7401)
    _closed, question = await next_two(deputy)
    assert number in question["text"]
    labels = [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [dtx.BTN_RESOLVED, dtx.BTN_RECURRED]

    await deputy.press_button(question, dtx.BTN_RECURRED)
    told = (await deputy.next_message())["text"]
    assert "复发" in told and "重新办理" in told and number in told

    async def reopened() -> bool:
        ticket = await intake.store.get(ticket_no)
        return ticket is not None and ticket["reopen_count"] == 1

    await until(reopened, "the intake to reopen the same ticket")
    at_intake = await intake.store.get(ticket_no)
    assert at_intake is not None and at_intake["status"] == "办理中"
    events = await intake.store.events_for(at_intake["id"])
    assert "复发" in (events[-1]["note"] or "") and events[-1]["action"] == "reopen"
    assert len(await intake.store.list()) == 1  # no new ticket: the same one, number kept
    assert "重新办理" in (await deputy.next_message(timeout=15))["text"]  # the intake's callback

    async with revisiting.uow_factory() as uow:
        report = await uow.session.scalar(select(Report))
        ticket = await uow.session.scalar(select(Ticket))
    assert report is not None and report.status == ReportStatus.REOPENED
    assert ticket is not None and ticket.external_id == ticket_no
    assert (ticket.recurrence_count, ticket.reopen_count) == (1, 1)

    # The same 复发了 button again (a double tap, or a replayed request).
    data = RecurrenceAction(report_id=report.id, round=1, recurred=True).pack()
    replay = await deputy.callback_answer(await deputy.press(question["message_id"], data, True))
    assert replay is not None and replay["text"] == dtx.RECURRENCE_STALE
    await asyncio.sleep(1)  # a few passes of the watch and the worker: nothing more goes out
    async with revisiting.uow_factory() as uow:
        kinds = list(await uow.session.scalars(select(OutboxMessage.kind)))
        ticket = await uow.session.scalar(select(Ticket))
    assert kinds.count("reopen") == 1
    assert ticket is not None and ticket.recurrence_count == 1
    at_intake = await intake.store.get(ticket_no)
    assert at_intake is not None and at_intake["reopen_count"] == 1


async def test_resolved_is_recorded_and_another_deputy_cannot_answer(
    revisiting: Application, client: EmulatorClient, intake: RunningIntake
) -> None:
    deputy, _number, ticket_no = await file_and_close(client, intake, 7402)
    _closed, question = await next_two(deputy)
    async with revisiting.uow_factory() as uow:
        report = await uow.session.scalar(select(Report))
    assert report is not None

    other = await verified(client, 7403, phone="13807390007")
    own = [m for m in await other.messages() if m["from_bot"]][-1]
    data = RecurrenceAction(report_id=report.id, round=1, recurred=True).pack()
    forged = await other.callback_answer(await other.press(own["message_id"], data, True))
    assert forged is not None and forged["text"] == rt.NOT_YOUR_REPORT

    await deputy.press_button(question, dtx.BTN_RESOLVED)
    assert "已解决" in (await deputy.next_message())["text"]
    again = await deputy.callback_answer(await deputy.press(question["message_id"], data, True))
    assert again is not None and again["text"] == dtx.RECURRENCE_ALREADY_ANSWERED
    async with revisiting.uow_factory() as uow:
        ticket = await uow.session.scalar(select(Ticket))
        kinds = list(await uow.session.scalars(select(OutboxMessage.kind)))
    assert ticket is not None
    assert (ticket.recurrence_answer, ticket.recurrence_count) == ("已解决", 0)
    assert "reopen" not in kinds
    at_intake = await intake.store.get(ticket_no)
    assert at_intake is not None and at_intake["status"] == "已办结"
