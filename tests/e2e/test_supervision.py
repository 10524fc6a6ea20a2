"""人大督 over the whole loop, one test per trigger: bot + emulator (the deputy's chat) + the
reference 12345 intake over HTTP, and the admin console served by the bot.

Each trigger is produced the way it happens (ratings pressed in chat, 催办 through the
outbox, 退单 by the intake's operators, a flag on the desk), except two that need time to pass:
overdue moves the ticket's stored deadline into the past, and 复发 records the deputy's 回访
answer as the recurrence check does. The detection job then runs one pass; the case is on the
desk with its reason; 发起督办 reaches the intake as a 督办 event with the new deadline and the
deputy is told; 办结督办 closes it and the deputy is told; 统计分析 and 履职 count it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import Application
from bot.services.console.auth import ConsoleAuthService
from bot.services.feedback.urging import UrgeOutcome, UrgeService
from bot.services.supervision.detection import SupervisionDetector, SupervisionRules
from bot.texts import ratings as rtx
from emulator.client import ChatUser, EmulatorClient
from intake.server import RunningIntake
from storage.base import utcnow
from storage.models import SupervisionCase, Ticket
from tests.e2e.conftest import until
from tests.e2e.reporting import OPERATOR, answered_at_intake, filed_at_intake

PASSWORD = "correct-horse-42"
RULES = SupervisionRules(overdue_margin=timedelta(hours=1), urge_times=2)


async def heard(deputy: ChatUser, words: str) -> str:
    """The deputy's next message containing `words` (other notices may come first)."""
    for _ in range(6):
        text = str((await deputy.next_message(timeout=15))["text"])
        if words in text:
            return text
    raise AssertionError(f"the deputy was never told {words!r}")


@pytest.fixture
async def staff(looped: Application, bot_web_port: int) -> AsyncIterator[aiohttp.ClientSession]:
    """An operator of the 代表工委 signed in to the bot's console."""
    async with looped.uow_factory() as uow:
        await ConsoleAuthService(uow).create_user("wang", PASSWORD, "admin", actor="test")
    http = aiohttp.ClientSession(
        base_url=f"http://127.0.0.1:{bot_web_port}", cookie_jar=aiohttp.CookieJar(unsafe=True)
    )
    async with http.get("/admin/login") as page:
        token = _csrf(await page.text())
    form = {"username": "wang", "password": PASSWORD, "csrf_token": token, "next": ""}
    async with http.post("/admin/login", data=form) as response:
        assert response.status == 200
    yield http
    await http.close()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def _get(http: aiohttp.ClientSession, path: str) -> str:
    async with http.get(path) as response:
        assert response.status == 200, path
        return await response.text()


async def _post(http: aiohttp.ClientSession, path: str, form: dict[str, str], page: str) -> str:
    data = {"csrf_token": _csrf(await _get(http, page)), **form}
    async with http.post(path, data=data) as response:
        text = await response.text()
        assert response.status == 200, text
        return text


async def _unsatisfied(deputy: ChatUser, notice: dict[str, Any], reason: str) -> None:
    await deputy.press_button(notice, rtx.BTN_UNSATISFIED)
    await deputy.next_message()
    await deputy.send_text(reason)
    await deputy.next_message()


async def _bot_ticket(app: Application) -> Ticket:
    async def found() -> Ticket | None:
        async with app.uow_factory() as uow:
            return await uow.session.scalar(select(Ticket).where(Ticket.external_id.is_not(None)))

    ticket: Ticket = await until(found, "the bot to record the ticket")
    return ticket


async def _trigger(
    kind: str,
    app: Application,
    intake: RunningIntake,
    deputy: ChatUser,
    number: str,
    ticket_no: str,
    http: aiohttp.ClientSession,
) -> None:
    ticket = await _bot_ticket(app)
    if kind == "second_unsatisfied":
        notice = await answered_at_intake(deputy, intake, ticket_no, "已协调处理。")
        await _unsatisfied(deputy, notice, "工资仍未发放")

        async def reopened() -> bool:
            at = await intake.store.get(ticket_no)
            return at is not None and at["reopen_count"] == 1

        await until(reopened, "the 重办 to reach the intake")
        await heard(deputy, "重新办理")
        second = await answered_at_intake(deputy, intake, ticket_no, "已再次督促。", first=False)
        await _unsatisfied(deputy, second, "还是没发")
    elif kind == "overdue":
        async with app.uow_factory() as uow:
            row = await uow.session.get(Ticket, ticket.id)
            assert row is not None
            row.due_at = utcnow() - timedelta(hours=2)  # two hours past: beyond the margin
            await uow.commit()
    elif kind == "urged":
        async with app.uow_factory() as uow:
            report = await uow.reports.get(ticket.report_id)
            assert report is not None
            deputy_id = report.deputy_id
        for day in (0, 1):  # the deputy's 催办 on two days (at most one a day)
            async with app.uow_factory() as uow:
                done = await UrgeService(uow).urge(
                    deputy_id, ticket.report_id, actor="deputy", now=utcnow() + timedelta(days=day)
                )
            assert done is UrgeOutcome.URGED

        async def urged_twice() -> bool:
            at = await intake.store.get(ticket_no)
            assert at is not None
            events = await intake.store.events_for(at["id"])
            return [e["action"] for e in events].count("urge") == 2

        await until(urged_twice, "both 催办 to reach the intake")
    elif kind == "returned_twice":
        await intake.store.act(ticket_no, "return", operator=OPERATOR, note="非本部门职责")
        await heard(deputy, "退回")
        await intake.store.act(
            ticket_no, "reroute", operator=OPERATOR, department_code="ZJ", note="改派住建"
        )
        await heard(deputy, "改派")
        await intake.store.act(ticket_no, "return", operator=OPERATOR, note="仍非本部门职责")
        await heard(deputy, "退回")
    elif kind == "recurrence":
        async with app.uow_factory() as uow:
            row = await uow.session.get(Ticket, ticket.id)
            assert row is not None
            row.recurrence_count = 1  # the deputy answered 复发了 at the 回访
            await uow.commit()
    elif kind == "flagged":
        await _post(
            http,
            "/admin/supervision/flag",
            {"number": number, "note": "群众多次来访"},
            "/admin/supervision",
        )


REASONS = {
    "second_unsatisfied": "重办后仍不满意",
    "overdue": "超期未办结",
    "urged": "代表多次催办",
    "returned_twice": "两次退单",
    "recurrence": "办结后复发",
    "flagged": "管理员标记",
}


@pytest.mark.parametrize("kind", list(REASONS))
async def test_a_trigger_puts_the_case_on_the_desk_through_to_closed(
    kind: str,
    looped: Application,
    client: EmulatorClient,
    intake: RunningIntake,
    staff: aiohttp.ClientSession,
) -> None:
    deputy, number, ticket_no = await filed_at_intake(
        client, intake, 7400 + list(REASONS).index(kind)
    )
    await _trigger(kind, looped, intake, deputy, number, ticket_no, staff)
    if kind in ("second_unsatisfied", "flagged"):  # recorded with the rating / the flag itself
        async with looped.uow_factory() as uow:
            assert await uow.session.scalar(select(SupervisionCase)) is not None
    await SupervisionDetector(looped.uow_factory, RULES).run_once(utcnow())

    async with looped.uow_factory() as uow:
        case = await uow.session.scalar(select(SupervisionCase))
    assert case is not None and kind in case.reasons
    desk = await _get(staff, "/admin/supervision")
    row = desk[desk.index(f'id="case-{case.id}"') :]
    assert number in row and REASONS[kind] in row[: row.index("</tr>")]

    page = f"/admin/supervision/{case.id}"
    await _post(
        staff, f"{page}/start", {"deadline": "2099-01-05T17:30", "note": "请限期办结"}, page
    )

    async def supervised() -> list[dict[str, Any]]:
        at = await intake.store.get(ticket_no)
        assert at is not None
        return [
            dict(e) for e in await intake.store.events_for(at["id"]) if e["action"] == "supervise"
        ]

    [event] = await until(supervised, "the 督办 to reach the intake")
    assert "人大代表工委督办" in event["note"] and "2099-01-05 17:30" in event["note"]
    at = await intake.store.get(ticket_no)
    assert at is not None and at["expected_at"].isoformat() == "2099-01-05T09:30:00"
    told = await heard(deputy, "发起督办")
    assert number in told and "2099-01-05 17:30" in told

    await _post(staff, f"{page}/close", {"outcome": "已督促部门办结"}, page)
    told = await heard(deputy, "督办已办结")
    assert "已督促部门办结" in told

    stats = await _get(staff, "/admin/statistics")
    assert "列入 1 · 发起 1 · 办结 1" in stats[stats.index('id="supervision-stats"') :]
    record = await _get(staff, "/admin/statistics/deputies")
    assert "列入 1 · 发起 1 · 办结 1" in record[record.index('id="supervision-deputies"') :]
