"""The whole loop with real processes on loopback: a deputy files in chat, the outbox worker
delivers to the reference 12345 intake, an operator answers, and the deputy reads the answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import Application
from emulator.client import EmulatorClient
from intake import start_intake
from intake.server import RunningIntake
from storage.models import Ticket
from tests.e2e.conftest import HOTLINE_SECRET, BotFactory, until
from tests.e2e.reporting import VAGUE, WAGE_ARREARS, to_preview, verified
from tests.intake.conftest import console_login


async def test_deputy_files_operator_answers_deputy_reads_the_answer(
    looped: Application, client: EmulatorClient, intake: RunningIntake
) -> None:
    deputy = await verified(client, 7201)
    preview = await to_preview(deputy, WAGE_ARREARS)
    await deputy.press_button(preview, "确认提交")
    receipt = (await deputy.next_message())["text"]
    number = receipt.split("编号 ")[1].split()[0]

    ticket_id = await _wait_for_ticket(intake, number)

    async def recorded_with_deadlines() -> Ticket | None:
        # The worker records the intake's reply just after the intake answered (a callback may
        # record the ticket first; the worker then adds the deadlines).
        async with looped.uow_factory() as uow:
            ticket = await uow.session.scalar(select(Ticket))
        return ticket if ticket is not None and ticket.accept_due_at and ticket.due_at else None

    ticket = await until(recorded_with_deadlines, "the ticket recorded with its deadlines")
    assert ticket.accept_due_at < ticket.due_at  # 受理 within hours, handling within days
    await intake.store.act(ticket_id, "accept", operator="话务员小王")
    accepted = await deputy.next_message(timeout=15)
    assert "受理" in accepted["text"] and number in accepted["text"]

    await intake.store.act(ticket_id, "dispatch", operator="话务员小王", department_code="RS")
    dispatched = await deputy.next_message(timeout=15)
    assert "派单" in dispatched["text"]

    await intake.store.act(
        ticket_id, "answer", operator="话务员小王", answer="已责令包工头三日内结清<工资>。"
    )
    answered = await deputy.next_message(timeout=15)
    assert "已答复" in answered["text"] and "已责令包工头三日内结清<工资>。" in answered["text"]


async def _wait_for_ticket(intake: RunningIntake, number: str) -> str:
    """The worker delivers in the background; the intake learns the ticket within seconds."""
    for _ in range(100):
        for ticket in await intake.store.list():
            if ticket["report_number"] == number:
                return str(ticket["ticket_no"])
        await asyncio.sleep(0.1)
    raise AssertionError(f"no ticket for {number} at the intake")


@pytest.fixture
async def open311_intake(tmp_path: Path) -> AsyncIterator[RunningIntake]:
    running = await start_intake(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'open311.sqlite3'}",
        secret=HOTLINE_SECRET,
        callback_url=None,  # Open311 has no callbacks: the bot polls
        open311_api_key="open311-key",
    )
    yield running
    await running.close()


async def _file_via_open311(
    start_bot: BotFactory, client: EmulatorClient, intake: RunningIntake, user: int, text: str
) -> str:
    """A bot on the intake's Open311 facade; a deputy files `text`; the report's number."""
    await start_bot(
        hotline_adapter="open311",
        open311_url=f"{intake.base_url}/open311/v2",
        open311_api_key=SecretStr("open311-key"),
        open311_jurisdiction_id="shaoyang",
        web_port=0,
    )
    deputy = await verified(client, user)
    preview = await to_preview(deputy, text)
    await deputy.press_button(preview, "确认提交")
    return str((await deputy.next_message())["text"].split("编号 ")[1].split()[0])


async def test_report_reaches_an_open311_server(
    start_bot: BotFactory, client: EmulatorClient, open311_intake: RunningIntake
) -> None:
    number = await _file_via_open311(start_bot, client, open311_intake, 7202, WAGE_ARREARS)
    ticket_no = await _wait_for_ticket(open311_intake, number)
    ticket = await open311_intake.store.get(ticket_no)
    assert ticket is not None and ticket["department_code"] == "RS"


async def test_an_unsure_report_reaches_an_open311_server_with_its_suggestion(
    start_bot: BotFactory, client: EmulatorClient, open311_intake: RunningIntake
) -> None:
    number = await _file_via_open311(start_bot, client, open311_intake, 7203, VAGUE)
    ticket = await open311_intake.store.get(await _wait_for_ticket(open311_intake, number))
    assert ticket is not None and "【建议承办单位（待确认）：" in ticket["text"]


async def test_an_unsure_report_reaches_the_hotline_at_once_marked_to_be_confirmed(
    looped: Application, client: EmulatorClient, intake: RunningIntake
) -> None:
    """ROUTING_UNSURE=hotline (the default): nothing waits in 待人工分派; the 12345 dispatchers
    get the suggestion marked 待确认, and the deputy is told the hotline will confirm it."""
    deputy = await verified(client, 7202)
    preview = await to_preview(deputy, VAGUE)
    assert "12345 热线" in preview["text"] and "确认" in preview["text"]
    assert "把握不足" not in preview["text"]
    await deputy.press_button(preview, "确认提交")
    receipt = (await deputy.next_message())["text"]
    assert "待热线确认" in receipt
    number = receipt.split("编号 ")[1].split()[0]
    ticket_id = await _wait_for_ticket(intake, number)
    ticket = await intake.store.get(ticket_id)
    assert ticket is not None and ticket["routing"]["unsure"] is True
    assert ticket["routing"]["department_code"] == ticket["department_code"]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await console_login(http, intake, "派单员小李")
        async with http.get(f"{intake.base_url}/console/") as page:
            assert "建议承办单位（待确认）" in await page.text()
