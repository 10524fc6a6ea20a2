"""The console's pages under attack: no sign-in, a role too low, a forged POST (no CSRF token)
and stored XSS in what deputies, operators and files put into the database."""

from __future__ import annotations

import aiohttp
import pytest
from sqlalchemy import select

from storage.models import (
    AuditLog,
    Department,
    Deputy,
    OutboxMessage,
    Report,
    ReportStatus,
    RoutingDecision,
)
from tests.console.conftest import ConsoleServer, Login, csrf_of, page, post_form
from tests.console.seed import XSS, XSS_IMG, add_dead_letter, add_report, candidates

ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")


async def _world(server: ConsoleServer) -> dict[str, int]:
    """One of everything: a routed report with a dead letter, a triage report."""
    routed = await add_report(server.uow_factory, number="SY-1", department="CG")
    waiting = await add_report(
        server.uow_factory,
        number="SY-2",
        department=None,
        suggested="ZJ",
        status=ReportStatus.TRIAGE,
        confidence=0.3,
    )
    dead = await add_dead_letter(server.uow_factory, routed.report_id)
    async with server.uow_factory() as uow:
        department = await uow.directory.department("ZJ")
        deputy = (await uow.session.scalars(select(Deputy))).one()
        assert department is not None
    return {
        "decision": routed.decision_id,
        "report": routed.report_id,
        "triage": waiting.report_id,
        "dead": dead,
        "department": department.id,
        "deputy": deputy.id,
    }


def _gets(ids: dict[str, int]) -> list[str]:
    return [
        "/",
        "/decisions",
        f"/decisions/{ids['decision']}",
        "/triage",
        "/departments",
        f"/departments/{ids['department']}",
        f"/departments/{ids['department']}/versions",
        "/deputies",
        "/deputies/export?format=csv",
        "/dead-letters",
    ]


def _posts(ids: dict[str, int]) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"/decisions/{ids['decision']}/confirm", {}),
        (f"/decisions/{ids['decision']}/correct", {"department": "ZJ"}),
        (f"/triage/{ids['triage']}/assign", {"department": "JT"}),
        (f"/dead-letters/{ids['dead']}/retry", {}),
        ("/dead-letters/retry-all", {}),
        (f"/departments/{ids['department']}", {"name": "被篡改", "active": "on"}),
        ("/departments/new", {"code": "EVIL", "name": "被篡改"}),
        (f"/deputies/{ids['deputy']}/deactivate", {"confirm": "yes"}),
        (f"/deputies/{ids['deputy']}/unbind", {}),
    ]


async def _snapshot(server: ConsoleServer) -> tuple[object, ...]:
    """Everything the POSTs above could change."""
    async with server.uow_factory() as uow:
        decisions = [
            (d.department_id, d.review_status)
            for d in await uow.session.scalars(select(RoutingDecision))
        ]
        reports = [(r.department_id, r.status) for r in await uow.session.scalars(select(Report))]
        outbox = [(m.kind, m.status) for m in await uow.session.scalars(select(OutboxMessage))]
        departments = [
            (d.code, d.name, d.version) for d in await uow.session.scalars(select(Department))
        ]
        deputies = [
            (d.active, d.telegram_user_id) for d in await uow.session.scalars(select(Deputy))
        ]
        audits = [
            a.action
            for a in await uow.session.scalars(select(AuditLog))
            if not a.action.startswith("console.")
        ]
        return decisions, reports, outbox, departments, deputies, audits


async def test_unauthenticated_visitor_is_sent_to_login_everywhere(
    console_server: ConsoleServer,
) -> None:
    ids = await _world(console_server)
    before = await _snapshot(console_server)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        for path in _gets(ids)[1:]:
            async with http.get(console_server.url(path), allow_redirects=False) as response:
                assert response.status == 303, path
                assert response.headers["Location"].startswith("/admin/login?next="), path
        _, html = await page(http, console_server.url("/login"))
        for path, data in _posts(ids):
            form = {"csrf_token": csrf_of(html), **data}
            async with http.post(
                console_server.url(path), data=form, allow_redirects=False
            ) as response:
                assert response.status in (303, 403), path
    assert await _snapshot(console_server) == before


@pytest.mark.parametrize("role", ["viewer", "operator"])
async def test_admin_pages_refuse_lower_roles(
    console_server: ConsoleServer, login: Login, role: str
) -> None:
    ids = await _world(console_server)
    before = await _snapshot(console_server)
    http = await login(role)
    for path in ("/deputies", "/deputies/export?format=csv", "/dead-letters", "/departments/new"):
        status, html = await page(http, console_server.url(path))
        assert status == 403 and "无权访问" in html, path
    _, home = await page(http, console_server.url("/"))
    assert "代表信息库" not in home and "发送失败" not in home  # not in the menu either
    admin_posts = [(p, d) for p, d in _posts(ids) if "/decisions" not in p and "/triage" not in p]
    for path, data in admin_posts:
        status, _ = await post_form(
            http, console_server.url(path), data, csrf_from=console_server.url("/")
        )
        assert status == 403, path
    assert await _snapshot(console_server) == before


async def test_post_without_a_valid_csrf_token_changes_nothing(
    console_server: ConsoleServer, login: Login
) -> None:
    ids = await _world(console_server)
    before = await _snapshot(console_server)
    http = await login("admin")
    other = await login("admin")
    _, html = await page(other, console_server.url("/"))
    someone_elses = csrf_of(html)
    for path, data in _posts(ids):
        for token in (None, "forged", someone_elses):
            form = dict(data) if token is None else {"csrf_token": token, **data}
            async with http.post(console_server.url(path), data=form) as response:
                assert response.status == 403, (path, token)
                assert "安全校验失败" in await response.text()
    # A multipart upload is checked the same way.
    upload = aiohttp.FormData()
    upload.add_field("file", b"\xe5\xa7\x93\xe5\x90\x8d\n", filename="a.csv")
    async with http.post(console_server.url("/deputies/import"), data=upload) as response:
        assert response.status == 403
    assert await _snapshot(console_server) == before


async def test_stored_xss_is_escaped_on_every_page(
    console_server: ConsoleServer, login: Login
) -> None:
    evil = f"{XSS}{XSS_IMG}"
    seeded = await add_report(
        console_server.uow_factory, number="SY-X", text=f"{evil} 小区{evil}物业乱收费"
    )
    waiting = await add_report(
        console_server.uow_factory,
        number="SY-Y",
        text=f"{evil} 路灯不亮",
        department=None,
        status=ReportStatus.TRIAGE,
        confidence=0.2,
    )
    dead = await add_dead_letter(console_server.uow_factory, seeded.report_id, error=evil)
    async with console_server.uow_factory() as uow:
        decision = await uow.session.get(RoutingDecision, seeded.decision_id)
        assert decision is not None
        decision.tokens = [XSS, XSS_IMG, "物业"]
        raw = candidates("CG", "ZJ")
        raw[0]["evidence"] = [{"term": XSS, "matched": XSS_IMG, "weight": 1, "source": XSS}]
        decision.candidates = raw
        report = await uow.session.get(Report, waiting.report_id)
        assert report is not None
        report.summary = evil
        department = await uow.directory.department("JT")
        assert department is not None
        department.name, department.aliases, department.duty = evil, [XSS], XSS_IMG
        deputy = (await uow.session.scalars(select(Deputy))).one()
        deputy.name, deputy.station = evil, XSS_IMG
        await uow.commit()

    http = await login("admin")
    # An operator's note lands in the audit history shown on the decision page.
    detail = console_server.url(f"/decisions/{seeded.decision_id}")
    status, _ = await post_form(
        http, detail + "/correct", {"department": "ZJ", "note": evil}, csrf_from=detail
    )
    assert status == 200
    async with console_server.uow_factory() as uow:
        jt = await uow.directory.department("JT")
        assert jt is not None
    paths = [
        "/decisions",
        f"/decisions/{seeded.decision_id}",
        f"/decisions/{waiting.decision_id}",
        "/triage",
        "/dead-letters",
        "/deputies",
        "/departments",
        f"/departments/{jt.id}",
        f"/departments/{jt.id}/versions",
    ]
    for path in paths:
        status, html = await page(http, console_server.url(path))
        assert status == 200, path
        assert "<script" not in html and "<img" not in html, path
        assert any(escaped in html for escaped in ESCAPED), path
    _, html = await page(http, detail)
    assert all(escaped in html for escaped in ESCAPED)  # the text, tokens, evidence, history
    _, html = await page(http, console_server.url("/dead-letters"))
    assert f'id="dead-{dead}"' in html and all(escaped in html for escaped in ESCAPED)
