"""The classification log and the operator's 确认 / 更正 over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.core.outbox import Reroute, from_row
from bot.hotline.notes import hotline_note
from storage.models import (
    AuditLog,
    LabelledExample,
    OutboxKind,
    OutboxMessage,
    Report,
    ReportStatus,
    RoutingDecision,
)
from tests.console.conftest import ConsoleServer, Login, page, post_form
from tests.console.seed import add_photo, add_report


async def _department_of(server: ConsoleServer, report_id: int) -> str | None:
    async with server.uow_factory() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        department = await uow.directory.department_by_id(report.department_id)
        return department.code if department else None


async def test_log_filters_by_department_band_review_and_date(
    console_server: ConsoleServer, login: Login
) -> None:
    sure = await add_report(console_server.uow_factory, number="SY-A", department="CG")
    unsure = await add_report(
        console_server.uow_factory, number="SY-B", department="ZJ", confidence=0.4
    )
    old = await add_report(
        console_server.uow_factory,
        number="SY-C",
        department="JT",
        created_at=datetime(2025, 1, 2, 3, tzinfo=UTC),
    )
    http = await login("viewer")
    url = console_server.url("/decisions")

    _, html = await page(http, url)
    assert all(f"decision-{s.decision_id}" in html for s in (sure, unsure, old))
    _, html = await page(http, url + "?department=ZJ")
    assert f"decision-{unsure.decision_id}" in html and f"decision-{sure.decision_id}" not in html
    _, html = await page(http, url + "?band=low")
    assert f"decision-{unsure.decision_id}" in html and f"decision-{sure.decision_id}" not in html
    _, html = await page(http, url + "?from=2025-01-01&to=2025-01-02")
    assert f"decision-{old.decision_id}" in html and f"decision-{sure.decision_id}" not in html
    _, html = await page(http, url + "?district=DX&review=pending&status=已提交")
    assert "SY-A" in html and "SY-B" in html
    _, html = await page(http, url + "?review=confirmed")
    assert 'id="empty"' in html
    status, html = await page(http, url + "?from=yesterday")
    assert status == 400 and "格式不正确" in html


async def test_log_pages_by_fifty(console_server: ConsoleServer, login: Login) -> None:
    for n in range(51):
        await add_report(console_server.uow_factory, number=f"SY-{n:03d}", queued=False)
    http = await login("viewer")
    _, first = await page(http, console_server.url("/decisions"))
    assert "第 1 / 2 页，共 51 条" in first and "SY-050" in first and "SY-000" not in first
    _, second = await page(http, console_server.url("/decisions?page=2"))
    assert "SY-000" in second and "SY-050" not in second


async def test_detail_shows_text_tokens_candidates_and_evidence(
    console_server: ConsoleServer, login: Login
) -> None:
    seeded = await add_report(console_server.uow_factory, department="CG")
    http = await login("viewer")
    status, html = await page(http, console_server.url(f"/decisions/{seeded.decision_id}"))
    assert status == 200
    assert "小区物业乱收停车费" in html and "<span>停车费</span>" in html
    assert 'id="candidate-CG" class="chosen"' in html and 'id="candidate-ZJ"' in html
    assert "“物业” → “CG物业” · 词表 · 1.250" in html
    # matched matters, and each candidate's reasons in the same terms
    assert 'id="matter-CG-002"' in html and 'id="matter-ZJ-002"' in html
    assert "“停车费”“物业” → 事项“物业费收费争议”" in html
    assert 'id="form-correct"' not in html  # a viewer reads only
    status, _ = await page(http, console_server.url("/decisions/999"))
    assert status == 404


async def test_the_case_page_shows_the_reports_photos_and_opens_them(
    console_server: ConsoleServer, login: Login, tmp_path: Path
) -> None:
    seeded = await add_report(console_server.uow_factory, department="CG")
    stored = await add_photo(console_server.uow_factory, seeded.report_id, tmp_path)
    http = await login("viewer")
    status, html = await page(http, console_server.url(f"/decisions/{seeded.decision_id}"))
    photo = f"/admin/reports/{seeded.report_id}/photos/0"
    assert status == 200 and "现场照片（1 张）" in html and f'href="{photo}"' in html
    async with http.get(console_server.url(f"/reports/{seeded.report_id}/photos/0")) as response:
        assert response.status == 200 and response.content_type == "image/jpeg"
        assert await response.read() == stored.read_bytes()
    status, html = await page(http, console_server.url(f"/reports/{seeded.report_id}/photos/3"))
    assert status == 404 and "照片不存在" in html


async def test_confirm_records_a_labelled_example_and_the_audit(
    console_server: ConsoleServer, login: Login
) -> None:
    seeded = await add_report(console_server.uow_factory, department="CG")
    http = await login("operator", username="opr")
    detail = console_server.url(f"/decisions/{seeded.decision_id}")
    status, html = await post_form(http, detail + "/confirm", {}, csrf_from=detail)
    assert status == 200 and "已确认分类记录 SY20261125-0001" in html
    assert "已确认" in html and "确认分类" in html  # the history on the detail page
    async with console_server.uow_factory() as uow:
        decision = await uow.session.get(RoutingDecision, seeded.decision_id)
        assert decision is not None and decision.review_status == "confirmed"
        assert decision.reviewed_by == "console:opr"
        example = (await uow.session.scalars(select(LabelledExample))).one()
        assert (example.department_code, example.source) == ("CG", "confirm")
        audit = (await uow.audit.by_action("decision.confirm"))[0]
        assert audit.actor == "console:opr" and audit.after == {
            "review_status": "confirmed",
            "department": "CG",
        }
    status, html = await post_form(http, detail + "/confirm", {}, csrf_from=detail)
    assert status == 409 and "已复核" in html


async def test_correct_before_delivery_moves_the_queued_ticket(
    console_server: ConsoleServer, login: Login
) -> None:
    seeded = await add_report(console_server.uow_factory, department="CG")
    http = await login("operator", username="opr")
    detail = console_server.url(f"/decisions/{seeded.decision_id}")
    status, html = await post_form(
        http, detail + "/correct", {"department": "ZJ", "note": "物业归住建"}, csrf_from=detail
    )
    assert status == 200 and "已将 SY20261125-0001 更正为“邵阳市住房和城乡建设局”" in html
    assert await _department_of(console_server, seeded.report_id) == "ZJ"
    assert console_server.woken  # the outbox worker sends now
    async with console_server.uow_factory() as uow:
        example = (await uow.session.scalars(select(LabelledExample))).one()
        assert (example.department_code, example.source, example.created_by) == (
            "ZJ",
            "admin",
            "console:opr",
        )
        assert example.text.startswith("小区物业")
        audit = (await uow.audit.by_action("decision.correct"))[0]
        assert audit.before == {"department": "CG", "review_status": "pending"}
        assert audit.after == {
            "department": "ZJ",
            "effect": "pending_create",
            "note": "物业归住建",
        }
    assert 'id="report-department">邵阳市住房和城乡建设局' in html
    assert "更正分类" in html and "console:opr" in html  # who changed it, in the history


async def test_correct_after_delivery_asks_the_hotline_to_reroute(
    console_server: ConsoleServer, login: Login
) -> None:
    seeded = await add_report(console_server.uow_factory, department="CG", ticket="T-100")
    http = await login("operator")
    detail = console_server.url(f"/decisions/{seeded.decision_id}")
    status, html = await post_form(
        http, detail + "/correct", {"department": "JT"}, csrf_from=detail
    )
    assert status == 200 and "已通知 12345 热线改派" in html
    assert await _department_of(console_server, seeded.report_id) == "JT"
    async with console_server.uow_factory() as uow:
        reroute = (
            await uow.session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.REROUTE)
            )
        ).one()
        assert reroute.report_id == seeded.report_id
        sent = from_row(reroute)
        assert isinstance(sent, Reroute) and sent.department_code == "JT"
        assert hotline_note(sent) == "人大代表工委更正承办单位"


async def test_correct_after_acceptance_only_records_the_correction(
    console_server: ConsoleServer, login: Login
) -> None:
    seeded = await add_report(
        console_server.uow_factory, department="CG", ticket="T-7", status=ReportStatus.ACCEPTED
    )
    http = await login("operator")
    detail = console_server.url(f"/decisions/{seeded.decision_id}")
    status, html = await post_form(
        http, detail + "/correct", {"department": "ZJ"}, csrf_from=detail
    )
    assert status == 200 and "已被热线受理，承办单位不再变更" in html
    assert await _department_of(console_server, seeded.report_id) == "CG"
    async with console_server.uow_factory() as uow:
        example = (await uow.session.scalars(select(LabelledExample))).one()
        assert example.department_code == "ZJ"  # the classifier still learns
        kinds = [m.kind for m in await uow.session.scalars(select(OutboxMessage))]
        assert OutboxKind.REROUTE not in kinds


async def test_correct_is_refused_while_the_create_is_on_the_wire(
    console_server: ConsoleServer, login: Login
) -> None:
    seeded = await add_report(console_server.uow_factory, department="CG")
    async with console_server.uow_factory() as uow:
        message = (await uow.session.scalars(select(OutboxMessage))).one()
        message.locked_until = datetime(2999, 1, 1, tzinfo=UTC)
        await uow.commit()
    http = await login("operator")
    detail = console_server.url(f"/decisions/{seeded.decision_id}")
    status, html = await post_form(
        http, detail + "/correct", {"department": "ZJ"}, csrf_from=detail
    )
    assert status == 409 and "正在发送" in html
    assert await _department_of(console_server, seeded.report_id) == "CG"


async def test_correct_refuses_unknown_department_and_triage_reports(
    console_server: ConsoleServer, login: Login
) -> None:
    routed = await add_report(console_server.uow_factory, number="SY-1", department="CG")
    waiting = await add_report(
        console_server.uow_factory,
        number="SY-2",
        department=None,
        suggested="ZJ",
        status=ReportStatus.TRIAGE,
        confidence=0.3,
    )
    http = await login("operator")
    for decision_id, department, expected in [
        (routed.decision_id, "NOPE", "不存在或已停用"),
        (routed.decision_id, "CG", "相同"),
        (waiting.decision_id, "ZJ", "待人工分派"),
    ]:
        detail = console_server.url(f"/decisions/{decision_id}")
        status, html = await post_form(
            http, detail + "/correct", {"department": department}, csrf_from=detail
        )
        assert status == 409 and expected in html
    status, html = await post_form(
        http,
        console_server.url(f"/decisions/{routed.decision_id}/correct"),
        {"department": ""},
        csrf_from=console_server.url(f"/decisions/{routed.decision_id}"),
    )
    assert status == 400 and "请填写“承办单位”" in html
    async with console_server.uow_factory() as uow:
        assert not list(await uow.session.scalars(select(LabelledExample)))
        assert not await uow.audit.by_action("decision.correct")
        report = await uow.session.get(Report, waiting.report_id)
        assert report is not None and report.status == ReportStatus.TRIAGE


async def test_viewer_cannot_confirm_or_correct(
    console_server: ConsoleServer, login: Login
) -> None:
    seeded = await add_report(console_server.uow_factory, department="CG")
    http = await login("viewer")
    detail = console_server.url(f"/decisions/{seeded.decision_id}")
    for action, data in (("/confirm", {}), ("/correct", {"department": "ZJ"})):
        status, html = await post_form(http, detail + action, data, csrf_from=detail)
        assert status == 403 and "无权访问" in html
    assert await _department_of(console_server, seeded.report_id) == "CG"
    async with console_server.uow_factory() as uow:
        actions = [a.action for a in await uow.session.scalars(select(AuditLog))]
        assert not [a for a in actions if a.startswith("decision.")]
