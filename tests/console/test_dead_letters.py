"""Dead letters: the admin sees why a message failed and starts it afresh (audited)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.outbox import CreateTicket, to_row
from storage.base import utcnow
from storage.models import OutboxMessage, OutboxStatus
from tests.console.conftest import ConsoleServer, Login, page, post_form
from tests.console.seed import add_dead_letter, add_report


async def _dead(server: ConsoleServer, number: str, error: str) -> int:
    seeded = await add_report(server.uow_factory, number=number)
    return await add_dead_letter(server.uow_factory, seeded.report_id, error)


async def test_list_shows_the_last_error(console_server: ConsoleServer, login: Login) -> None:
    message_id = await _dead(console_server, "SY-1", "unknown service_code CG")
    http = await login("admin")
    status, html = await page(http, console_server.url("/dead-letters"))
    assert status == 200 and f'id="dead-{message_id}"' in html
    assert "unknown service_code CG" in html and "SY-1" in html and "提交工单" in html
    _, home = await page(http, console_server.url("/"))
    assert "<strong>1</strong><span>发送失败的消息</span>" in home


async def test_retry_one_requeues_it_due_now_and_audits(
    console_server: ConsoleServer, login: Login
) -> None:
    first = await _dead(console_server, "SY-1", "HTTP 503")
    second = await _dead(console_server, "SY-2", "HTTP 503")
    http = await login("admin", username="boss")
    status, html = await post_form(
        http,
        console_server.url(f"/dead-letters/{first}/retry"),
        {},
        csrf_from=console_server.url("/dead-letters"),
    )
    assert status == 200 and f"已重新排队发送消息 #{first}" in html
    assert f'id="dead-{first}"' not in html and f'id="dead-{second}"' in html
    assert console_server.woken
    async with console_server.uow_factory() as uow:
        message = await uow.session.get(OutboxMessage, first)
        assert message is not None
        assert (message.status, message.attempts, message.locked_until) == (
            OutboxStatus.PENDING,
            0,
            None,
        )
        [audit] = await uow.audit.by_action("outbox.retry")
        assert audit.actor == "console:boss" and audit.entity_id == str(first)
        assert audit.before == {"status": "dead", "attempts": 8, "last_error": "HTTP 503"}
        assert audit.after == {"status": "pending", "attempts": 0}


async def test_retry_all_and_then_nothing_left(
    console_server: ConsoleServer, login: Login
) -> None:
    for n in range(3):
        await _dead(console_server, f"SY-{n}", "timeout")
    http = await login("admin")
    listing = console_server.url("/dead-letters")
    status, html = await post_form(
        http, console_server.url("/dead-letters/retry-all"), {}, csrf_from=listing
    )
    assert status == 200 and "已重新排队发送 3 条消息" in html and 'id="empty"' in html
    status, html = await post_form(
        http, console_server.url("/dead-letters/retry-all"), {}, csrf_from=listing
    )
    assert "没有需要重试的消息" in html
    async with console_server.uow_factory() as uow:
        statuses = {m.status for m in await uow.session.scalars(select(OutboxMessage))}
        assert statuses == {OutboxStatus.PENDING}
        assert len(await uow.audit.by_action("outbox.retry")) == 3


async def test_the_front_page_shows_an_outage_while_messages_keep_failing(
    console_server: ConsoleServer, login: Login
) -> None:
    seeded = await add_report(console_server.uow_factory, number="SY-9")
    http = await login("viewer")
    _, calm = await page(http, console_server.url("/"))
    assert 'id="outage"' not in calm
    async with console_server.uow_factory() as uow:
        message = await uow.session.scalar(
            select(OutboxMessage).where(OutboxMessage.report_id == seeded.report_id)
        )
        if message is None:  # a report routed by hand has none yet
            message = to_row(CreateTicket(seeded.report_id))
            uow.outbox.add(message)
        message.attempts = 4
        message.last_error = "ClientConnectorError: connection refused"
        message.created_at = utcnow() - timedelta(minutes=30)
        await uow.commit()
    _, down = await page(http, console_server.url("/"))
    assert 'id="outage"' in down and "12345 热线暂时无法连接" in down
    assert "1 条消息等待重发" in down and "connection refused" in down
