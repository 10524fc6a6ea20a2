"""The 督办 desk over real HTTP: an admin flags a report, the case shows with its reason and
history; 发起督办 queues a Supervise message (new deadline) and tells the deputy; 记录联系 and
转交 stay internal; 办结督办 closes the case and tells the deputy; a viewer cannot open it."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.core.outbox import Supervise, from_row
from storage.models import OutboxKind, OutboxMessage, Rating, SupervisionCase
from tests.console.conftest import (
    DEPUTY_TELEGRAM_ID,
    ConsoleServer,
    Login,
    create_user,
    page,
    post_form,
)
from tests.console.seed import add_report


async def test_a_case_from_flag_to_closed(console_server: ConsoleServer, login: Login) -> None:
    seeded = await add_report(console_server.uow_factory, ticket="T-77", status="已答复")
    async with console_server.uow_factory() as uow:
        report = await uow.reports.get(seeded.report_id)
        assert report is not None
        uow.session.add(
            Rating(report_id=report.id, deputy_id=report.deputy_id, score="不满意", comment="没修")
        )
        await uow.commit()
    await create_user(console_server.uow_factory, "zhang", "operator")
    http = await login("admin")
    desk = console_server.url("/supervision")
    status, html = await post_form(
        http,
        console_server.url("/supervision/flag"),
        {"number": seeded.number, "note": "媒体关注"},
        csrf_from=desk,
    )
    assert status == 200, html
    async with console_server.uow_factory() as uow:
        case = await uow.session.scalar(select(SupervisionCase))
    assert case is not None and case.reasons == ["flagged"]
    status, html = await page(http, console_server.url("/"))
    assert re.search(r'id="tile-supervision">\s*<strong>1</strong>', html), html
    status, html = await page(http, desk)
    assert status == 200 and f'id="case-{case.id}"' in html and "管理员标记" in html
    case_url = console_server.url(f"/supervision/{case.id}")
    status, html = await page(http, case_url)
    assert status == 200 and "不满意" in html and "没修" in html and "媒体关注" in html
    assert "将发送给代表" in html

    done = {"deadline": "2099-01-05T17:30", "note": "请限期解决电梯停运"}
    status, html = await post_form(http, f"{case_url}/start", done, csrf_from=case_url)
    assert status == 200 and "已发起督办" in html and "已通知代表" in html, html
    async with console_server.uow_factory() as uow:
        rows = list(
            await uow.session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.SUPERVISE.value)
            )
        )
        ticket = await uow.reports.ticket(seeded.report_id)
    [row] = rows
    message = from_row(row)
    assert isinstance(message, Supervise) and message.note == "请限期解决电梯停运"
    assert ticket is not None and ticket.due_at == message.deadline
    assert message.deadline.isoformat() == "2099-01-05T09:30:00+00:00"
    assert console_server.woken
    chat, text = console_server.notifier.sent[-1]
    assert chat == DEPUTY_TELEGRAM_ID and "发起督办" in text and "2099-01-05 17:30" in text

    told = len(console_server.notifier.sent)
    status, html = await post_form(
        http, f"{case_url}/contact", {"note": "电话联系住建局王科长"}, csrf_from=case_url
    )
    assert status == 200 and "电话联系住建局王科长" in html
    status, html = await post_form(
        http, f"{case_url}/hand_over", {"assignee": "zhang"}, csrf_from=case_url
    )
    assert status == 200 and re.search(r'id="case-assignee">zhang<', html), html
    status, html = await post_form(
        http, f"{case_url}/hand_over", {"assignee": "nobody"}, csrf_from=case_url
    )
    assert status == 409 and "nobody" in html
    assert len(console_server.notifier.sent) == told  # internal notes reach nobody

    status, html = await post_form(
        http, f"{case_url}/close", {"outcome": "电梯已修复并验收"}, csrf_from=case_url
    )
    assert status == 200 and "督办已办结" in html
    chat, text = console_server.notifier.sent[-1]
    assert "督办已办结" in text and "电梯已修复并验收" in text
    status, html = await page(http, desk)
    assert f'id="case-{case.id}"' not in html  # closed cases leave the queue
    status, html = await page(http, console_server.url("/"))
    assert re.search(r'id="tile-supervision">\s*<strong>0</strong>', html), html
    status, html = await page(http, console_server.url("/statistics"))
    assert status == 200
    table = html[html.index('id="supervision-stats"') :]
    assert "列入 1 · 发起 1 · 办结 1" in table and "电梯已修复并验收" in table
    status, html = await page(http, console_server.url("/statistics/deputies"))
    table = html[html.index('id="supervision-deputies"') :]
    assert status == 200 and "列入 1 · 发起 1 · 办结 1" in table


async def test_bad_input_is_a_clear_4xx(console_server: ConsoleServer, login: Login) -> None:
    seeded = await add_report(console_server.uow_factory, ticket="T-78")
    http = await login("admin")
    desk = console_server.url("/supervision")
    await post_form(
        http, console_server.url("/supervision/flag"), {"number": seeded.number}, csrf_from=desk
    )
    status, html = await post_form(
        http, console_server.url("/supervision/flag"), {"number": "SY-NOPE"}, csrf_from=desk
    )
    assert status == 409 and "SY-NOPE" in html
    async with console_server.uow_factory() as uow:
        case = await uow.session.scalar(select(SupervisionCase))
    assert case is not None
    case_url = console_server.url(f"/supervision/{case.id}")
    for deadline, code in (("not-a-date", 400), ("2020-01-01T10:00", 409)):
        status, html = await post_form(
            http, f"{case_url}/start", {"deadline": deadline, "note": "督办"}, csrf_from=case_url
        )
        assert status == code and "督办期限" in html
    status, _ = await page(http, console_server.url("/supervision/999"))
    assert status == 404
    viewer = await login("viewer")
    status, _ = await page(viewer, desk)
    assert status == 403
