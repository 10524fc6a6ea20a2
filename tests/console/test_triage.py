"""The triage queue (待人工分派): an operator assigns a department, the report goes out through
the outbox, and the deputy is told."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.outbox import Reroute, from_row
from bot.hotline.notes import hotline_note
from storage.models import (
    Deputy,
    LabelledExample,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Report,
    ReportStatus,
    RoutingDecision,
    TicketEvent,
)
from tests.console.conftest import DEPUTY_TELEGRAM_ID, ConsoleServer, Login, page, post_form
from tests.console.seed import add_report


async def _unsure(server: ConsoleServer, number: str = "SY20261125-0009") -> int:
    seeded = await add_report(
        server.uow_factory,
        number=number,
        text="路灯坏了好几天，晚上很黑。",
        department=None,
        suggested="CG",
        status=ReportStatus.TRIAGE,
        confidence=0.35,
    )
    return seeded.report_id


async def test_queue_lists_unsure_and_returned_reports(
    console_server: ConsoleServer, login: Login
) -> None:
    unsure = await _unsure(console_server)
    returned = await add_report(
        console_server.uow_factory,
        number="SY20261125-0010",
        department="CG",
        status=ReportStatus.TRIAGE,
        ticket="T-55",
    )
    async with console_server.uow_factory() as uow:
        ticket = await uow.reports.ticket(returned.report_id)
        assert ticket is not None
        uow.session.add(TicketEvent(ticket_id=ticket.id, status="退回", note="不属于本单位职责"))
        await uow.commit()
    http = await login("viewer")
    status, html = await page(http, console_server.url("/triage"))
    assert status == 200
    assert f'id="triage-{unsure}"' in html and "置信度不足" in html and "0.35" in html
    assert f'id="triage-{returned.report_id}"' in html and "热线退回" in html
    assert "不属于本单位职责" in html
    assert 'id="assign-' not in html  # a viewer sees the queue, cannot assign


async def test_assign_sends_the_report_and_tells_the_deputy(
    console_server: ConsoleServer, login: Login
) -> None:
    report_id = await _unsure(console_server)
    http = await login("operator", username="opr")
    status, html = await post_form(
        http,
        console_server.url(f"/triage/{report_id}/assign"),
        {"department": "ZJ", "note": ""},
        csrf_from=console_server.url("/triage"),
    )
    assert status == 200 and "已将 SY20261125-0009 分派至“邵阳市住房和城乡建设局”" in html
    assert "并已告知代表" in html and 'id="empty"' in html  # the queue is empty now
    [(telegram_id, notice)] = console_server.notifier.sent
    assert telegram_id == DEPUTY_TELEGRAM_ID
    assert "人工分派至<b>邵阳市住房和城乡建设局</b>" in notice and "SY20261125-0009" in notice
    assert console_server.woken
    async with console_server.uow_factory() as uow:
        report = await uow.session.get(Report, report_id)
        assert report is not None and report.status == ReportStatus.SUBMITTED
        department = await uow.directory.department_by_id(report.department_id)
        assert department is not None and department.code == "ZJ"
        message = (await uow.session.scalars(select(OutboxMessage))).one()
        assert (message.kind, message.status) == (OutboxKind.CREATE_TICKET, OutboxStatus.PENDING)
        decision = (await uow.session.scalars(select(RoutingDecision))).one()
        assert (decision.review_status, decision.reviewed_by) == ("corrected", "console:opr")
        example = (await uow.session.scalars(select(LabelledExample))).one()
        assert example.department_code == "ZJ"
        audit = (await uow.audit.by_action("triage.assign"))[0]
        assert audit.before == {"status": "待人工分派", "department": None}
        assert audit.after == {"department": "ZJ", "rerouted": False, "note": ""}


async def test_assigning_a_returned_ticket_reroutes_it(
    console_server: ConsoleServer, login: Login
) -> None:
    returned = await add_report(
        console_server.uow_factory, department="CG", status=ReportStatus.TRIAGE, ticket="T-55"
    )
    http = await login("operator")
    status, _ = await post_form(
        http,
        console_server.url(f"/triage/{returned.report_id}/assign"),
        {"department": "JT", "note": "道路归交通"},
        csrf_from=console_server.url("/triage"),
    )
    assert status == 200
    async with console_server.uow_factory() as uow:
        reroute = (
            await uow.session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.REROUTE)
            )
        ).one()
        sent = from_row(reroute)
        assert isinstance(sent, Reroute) and sent.department_code == "JT"
        assert hotline_note(sent) == "道路归交通"


async def test_assign_says_so_when_the_deputy_cannot_be_told(
    console_server: ConsoleServer, login: Login
) -> None:
    report_id = await _unsure(console_server)
    async with console_server.uow_factory() as uow:
        for deputy in await uow.session.scalars(select(Deputy)):
            deputy.telegram_user_id = None
        await uow.commit()
    http = await login("operator")
    status, html = await post_form(
        http,
        console_server.url(f"/triage/{report_id}/assign"),
        {"department": "CG"},
        csrf_from=console_server.url("/triage"),
    )
    assert status == 200 and "未能通知" in html
    assert not console_server.notifier.sent


async def test_assign_twice_or_to_nowhere_is_refused(
    console_server: ConsoleServer, login: Login
) -> None:
    report_id = await _unsure(console_server)
    http = await login("operator")
    url, queue = console_server.url(f"/triage/{report_id}/assign"), console_server.url("/triage")
    status, html = await post_form(http, url, {"department": "NOPE"}, csrf_from=queue)
    assert status == 409 and "不存在或已停用" in html
    status, html = await post_form(
        http, url, {"department": "CG", "note": "长" * 501}, csrf_from=queue
    )
    assert status == 409 and "备注不能超过 500 个字" in html
    status, _ = await post_form(http, url, {"department": "CG"}, csrf_from=queue)
    assert status == 200
    status, html = await post_form(http, url, {"department": "ZJ"}, csrf_from=queue)
    assert status == 409 and "已不在待人工分派队列中" in html
    assert len(console_server.notifier.sent) == 1
    async with console_server.uow_factory() as uow:
        assert len(list(await uow.session.scalars(select(OutboxMessage)))) == 1
