"""The console against what users and attackers really send: ids and pages out of range, URLs
that do not exist, oversized uploads, two people acting on the same record at once, a stale
edit form, and spreadsheets that try to run formulas."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from xml.etree import ElementTree

import aiohttp
import pytest
from aiohttp import web
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.config import Settings
from console import charts
from console.app import VIEWS
from storage.models import (
    AuditLog,
    Department,
    Deputy,
    LabelledExample,
    OutboxKind,
    OutboxMessage,
    ReportStatus,
)
from tests.console.conftest import (
    ConsoleServer,
    Login,
    csrf_of,
    page,
    post_form,
    upload_deputies,
)
from tests.console.seed import add_report

HUGE = "99999999999999999999999"  # past a 64-bit integer


async def _audits(server: ConsoleServer, action: str) -> list[AuditLog]:
    async with server.uow_factory() as uow:
        rows = await uow.session.scalars(select(AuditLog).where(AuditLog.action == action))
        return list(rows)


# --- ids, pages and URLs --------------------------------------------------------------------


async def test_ids_past_64_bits_are_not_found_not_server_errors(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("admin")
    for path in (f"/decisions/{HUGE}", f"/departments/{HUGE}", f"/departments/{HUGE}/versions"):
        status, html = await page(http, console_server.url(path))
        assert status == 404 and "页面不存在" in html, path
    _, home = await page(http, console_server.url("/"))
    for path in (
        f"/decisions/{HUGE}/confirm",
        f"/decisions/{HUGE}/correct",
        f"/triage/{HUGE}/assign",
        f"/dead-letters/{HUGE}/retry",
        f"/deputies/{HUGE}/deactivate",
        f"/departments/{HUGE}",
    ):
        form = {"csrf_token": csrf_of(home), "department": "ZJ", "name": "x"}
        async with http.post(console_server.url(path), data=form) as response:
            assert response.status == 404, path
            assert "页面不存在" in await response.text(), path


@pytest.mark.parametrize("path", ["/decisions", "/triage", "/deputies"])
async def test_a_page_past_the_end_shows_the_last_page(
    console_server: ConsoleServer, login: Login, path: str
) -> None:
    await add_report(console_server.uow_factory, number="SY-PAGE-1")
    await add_report(
        console_server.uow_factory,
        number="SY-PAGE-2",
        department=None,
        status=ReportStatus.TRIAGE,
        confidence=0.2,
    )
    http = await login("admin")
    expected = {"/decisions": "SY-PAGE-1", "/triage": "SY-PAGE-2", "/deputies": "李代表"}[path]
    for number in ("7", HUGE):
        status, html = await page(http, console_server.url(f"{path}?page={number}"))
        assert status == 200, (number, html[-500:])
        assert expected in html, number
        assert 'id="page-prev"' not in html, number  # one page only: no link to page 6


async def test_unknown_url_and_wrong_method_answer_in_chinese(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("viewer")
    status, html = await page(http, console_server.url("/no-such-page"))
    assert status == 404 and "页面不存在" in html and "Not Found" not in html
    # Sign-out is a POST with the CSRF token (a link or image on another site cannot sign out).
    status, html = await page(http, console_server.url("/logout"))
    assert status == 405 and "请求方式" in html and "Method Not Allowed" not in html
    status, _ = await page(http, console_server.url("/"))
    assert status == 200  # still signed in


async def test_an_oversized_upload_is_refused_in_chinese(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("admin")
    _, html = await page(http, console_server.url("/deputies"))
    form = aiohttp.FormData()
    form.add_field("csrf_token", csrf_of(html))
    form.add_field("file", b"a" * (17 * 1024 * 1024), filename="big.csv")
    async with http.post(console_server.url("/deputies/import"), data=form) as response:
        text = await response.text()
        assert response.status == 413
        assert "文件过大" in text and "16 MB" in text and "Maximum" not in text


def _post_routes() -> list[str]:
    """Every POST route the console declares, ids filled in (1, an existing row)."""
    paths = []
    for module in VIEWS:
        for route in module.routes:
            if isinstance(route, web.RouteDef) and route.method == "POST":
                path = re.sub(r"\{action:[^}]*\}", "deactivate", route.path)
                paths.append(re.sub(r"\{[a-z_]+(:([^{}]|\{[^}]*\})*)?\}", "1", path))
    return sorted(set(paths))


async def test_every_post_route_refuses_a_missing_or_forged_csrf_token(
    console_server: ConsoleServer, login: Login
) -> None:
    await add_report(console_server.uow_factory, number="SY-CSRF")
    routes = _post_routes()
    assert "/logout" in routes and "/deputies/1/deactivate" in routes and len(routes) >= 11
    http = await login("admin")
    for path in routes:
        for form in ({}, {"csrf_token": "forged"}):
            async with http.post(console_server.url(path), data=form) as response:
                assert response.status == 403, path
                assert "安全校验失败" in await response.text(), path
    status, _ = await page(http, console_server.url("/"))
    assert status == 200  # the forged logout did not sign out
    changes = [a for a in await _all_audits(console_server) if not a.startswith("console.")]
    assert changes == []


async def _all_audits(server: ConsoleServer) -> list[str]:
    async with server.uow_factory() as uow:
        return [a.action for a in await uow.session.scalars(select(AuditLog))]


@pytest.mark.parametrize(
    "console_settings", [Settings(_env_file=None, console_cookie_secure=True)]
)
async def test_every_cookie_is_secure_when_the_console_is_on_https(
    console_server: ConsoleServer,
) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(console_server.url("/login")) as response:
            cookies = response.cookies
            assert "console_csrf" in cookies and cookies["console_csrf"]["secure"]


# --- two people, one record -------------------------------------------------------------------


async def _decision_form(http: aiohttp.ClientSession, url: str) -> dict[str, str]:
    """The hidden fields of the 更正 form as the page showed them."""
    status, html = await page(http, url)
    assert status == 200, html
    form = re.search(r'<form[^>]*id="form-correct".*?</form>', html, re.S)
    assert form, "no correction form"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))


async def test_two_operators_correcting_one_decision_at_once_only_one_wins(
    console_server: ConsoleServer, login: Login
) -> None:
    routed = await add_report(console_server.uow_factory, number="SY-RACE", ticket="T-1")
    detail = console_server.url(f"/decisions/{routed.decision_id}")
    first, second = await login("operator"), await login("operator")
    forms = [await _decision_form(first, detail), await _decision_form(second, detail)]

    async def correct(http: aiohttp.ClientSession, form: dict[str, str], code: str) -> int:
        data = {**form, "department": code}
        async with http.post(detail + "/correct", data=data, allow_redirects=False) as response:
            return response.status

    statuses = await asyncio.gather(
        correct(first, forms[0], "ZJ"), correct(second, forms[1], "JT")
    )
    assert sorted(statuses) == [303, 409]
    async with console_server.uow_factory() as uow:
        reroutes = [
            m
            for m in await uow.session.scalars(select(OutboxMessage))
            if m.kind == OutboxKind.REROUTE
        ]
        examples = list(await uow.session.scalars(select(LabelledExample)))
    assert len(reroutes) == 1 and len(examples) == 1
    assert len(await _audits(console_server, "decision.correct")) == 1
    # The loser's page was stale: it is told so, and a fresh page lets them correct again.
    loser, stale = (first, forms[0]) if statuses[0] == 409 else (second, forms[1])
    status, html = await post_form(loser, detail + "/correct", {**stale, "department": "JT"})
    assert status == 409 and "已被他人复核或更正" in html
    fresh = await _decision_form(loser, detail)
    status, _ = await post_form(loser, detail + "/correct", {**fresh, "department": "CG"})
    assert status == 200


async def test_two_confirms_at_once_record_one_example(
    console_server: ConsoleServer, login: Login
) -> None:
    routed = await add_report(console_server.uow_factory, number="SY-RACE-2")
    detail = console_server.url(f"/decisions/{routed.decision_id}")
    first, second = await login("operator"), await login("operator")
    tokens = [csrf_of((await page(http, detail))[1]) for http in (first, second)]

    async def confirm(http: aiohttp.ClientSession, token: str) -> int:
        async with http.post(
            detail + "/confirm", data={"csrf_token": token}, allow_redirects=False
        ) as response:
            return response.status

    statuses = await asyncio.gather(confirm(first, tokens[0]), confirm(second, tokens[1]))
    assert sorted(statuses) == [303, 409]
    async with console_server.uow_factory() as uow:
        assert len(list(await uow.session.scalars(select(LabelledExample)))) == 1
    assert len(await _audits(console_server, "decision.confirm")) == 1


async def test_two_assigns_of_one_report_at_once_tell_the_deputy_once(
    console_server: ConsoleServer, login: Login
) -> None:
    waiting = await add_report(
        console_server.uow_factory,
        number="SY-RACE-3",
        department=None,
        status=ReportStatus.TRIAGE,
        confidence=0.3,
    )
    queue = console_server.url("/triage")
    first, second = await login("operator"), await login("operator")
    tokens = [csrf_of((await page(http, queue))[1]) for http in (first, second)]

    async def assign(http: aiohttp.ClientSession, token: str, code: str) -> int:
        async with http.post(
            console_server.url(f"/triage/{waiting.report_id}/assign"),
            data={"csrf_token": token, "department": code},
            allow_redirects=False,
        ) as response:
            return response.status

    statuses = await asyncio.gather(
        assign(first, tokens[0], "ZJ"), assign(second, tokens[1], "JT")
    )
    assert sorted(statuses) == [303, 409]
    assert len(console_server.notifier.sent) == 1
    async with console_server.uow_factory() as uow:
        creates = [
            m
            for m in await uow.session.scalars(select(OutboxMessage))
            if m.kind == OutboxKind.CREATE_TICKET
        ]
    assert len(creates) == 1
    assert len(await _audits(console_server, "triage.assign")) == 1


async def test_saving_a_stale_department_form_does_not_undo_anothers_edit(
    console_server: ConsoleServer, login: Login
) -> None:
    async with console_server.uow_factory() as uow:
        zj = await uow.directory.department("ZJ")
        assert zj is not None
    detail = console_server.url(f"/departments/{zj.id}")
    first, second = await login("admin"), await login("admin")
    _, stale = await page(second, detail)
    assert 'name="version" value="1"' in stale
    base = {
        "name": "邵阳市住房和城乡建设局",
        "category": "城建",
        "keywords": "",
        "duty": "",
        "active": "on",
        "version": "1",
    }
    status, _ = await post_form(first, detail, {**base, "aliases": "住建局"}, csrf_from=detail)
    assert status == 200
    # The second admin's form still shows version 1 without the alias: saving it is refused.
    data = {**base, "aliases": "", "duty": "房屋安全", "csrf_token": csrf_of(stale)}
    status, html = await post_form(second, detail, data)
    assert status == 409 and "已被他人修改" in html and "第 2 版" in html
    async with console_server.uow_factory() as uow:
        saved = await uow.session.get(Department, zj.id)
        assert saved is not None and saved.aliases == ["住建局"] and saved.version == 2


# --- files ------------------------------------------------------------------------------------


FORMULAS = {"name": '=HYPERLINK("http://evil")', "station": "@SUM(1+1)", "place": "+1-2"}


async def test_registry_export_never_hands_excel_a_formula_and_still_round_trips(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("admin")
    rows = "姓名,手机号,层级,选区,联络站\n"
    rows += f'"{FORMULAS["name"].replace(chr(34), chr(34) * 2)}",13800000002,市,'
    rows += f"{FORMULAS['place']},{FORMULAS['station']}\n"
    status, html = await upload_deputies(console_server, http, "evil.csv", rows.encode())
    assert status == 200 and "新增 1" in html, html[-800:]

    async with http.get(console_server.url("/deputies/export?format=csv")) as response:
        exported_csv = await response.read()
    cells = [c for row in csv.reader(io.StringIO(exported_csv.decode("utf-8-sig"))) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], cells
    async with http.get(console_server.url("/deputies/export?format=xlsx")) as response:
        exported_xlsx = await response.read()
    sheet = load_workbook(io.BytesIO(exported_xlsx)).active
    assert sheet is not None
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value  # text, never a formula

    # Importing either download back changes nothing: the guard is not kept as data.
    for name, data in (("back.csv", exported_csv), ("back.xlsx", exported_xlsx)):
        status, html = await upload_deputies(console_server, http, name, data)
        assert status == 200 and "更新 0" in html, (name, html[-800:])
    async with console_server.uow_factory() as uow:
        deputy = (
            await uow.session.scalars(select(Deputy).where(Deputy.phone == "13800000002"))
        ).one()
    assert (deputy.name, deputy.constituency, deputy.station) == (
        FORMULAS["name"],
        FORMULAS["place"],
        FORMULAS["station"],
    )


async def test_a_broken_xlsx_is_explained_in_chinese(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("admin")
    status, html = await upload_deputies(
        console_server, http, "名单.xlsx", b"PK\x03\x04 not really"
    )
    assert status == 400 and "无法读取 XLSX 文件" in html
    assert "zip" not in html.lower() and "另存为" in html


async def test_a_file_with_an_error_on_every_line_lists_the_first_ones(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("admin")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "手机号", "层级", "选区", "联络站"])
    for number in range(5000):
        sheet.append([f"代表{number}", "123", "市", "一选区", "一站"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    status, html = await upload_deputies(console_server, http, "名单.xlsx", buffer.getvalue())
    assert status == 400
    assert html.count("<li>") == 100 and "共 5000 处问题" in html and "第 101 行" in html


# --- charts -----------------------------------------------------------------------------------


def test_charts_stay_well_formed_svg_whatever_the_names() -> None:
    hostile = ["<b>区</b>", 'A & B"', "'>\"<svg onload=alert(1)>", "&amp;"]
    rates = [charts.Series('率"<', [0.5, None, 1.0, 0.0])]
    drawn = [
        charts.line_chart(hostile, rates, title='标题"<>&', chart_id='c"1'),
        charts.hbar_chart(hostile, rates, title="t", chart_id="c2"),
        charts.heatmap(hostile, [[0, 1, 2, 3]] * 4, title="t", chart_id="c3"),
    ]
    allowed = {"figure", "figcaption", "div", "svg", "title", "text", "line", "polyline"}
    allowed |= {"circle", "rect"}
    for svg in drawn:
        # The caption and the chart, as the template puts them in a <figure>: it parses, so
        # nothing broke out of a tag.
        root = ElementTree.fromstring(f"<figure>{svg}</figure>")
        tags = {element.tag.split("}")[-1] for element in root.iter()}
        assert tags <= allowed, tags
        attributes = " ".join(v for element in root.iter() for v in element.attrib.values())
        assert "onload" not in attributes
        assert "<b>区</b>" in "".join(root.itertext())  # shown as text, not markup
