"""The statistics and routing-quality pages over real HTTP: figures against the independent
oracle, filters, Chinese 400s for bad input, and downloads read back with openpyxl and csv."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import unquote

import aiohttp
import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from storage.models import Department, District, Report
from tests.console.conftest import ConsoleServer, Login, page
from tests.statistics_data import (
    Expected,
    expected_rates,
    hand_built_rows,
    utc,
    write_rows,
)

DECISIONS = [  # (created, suggested, final, review)
    ("2026-05-04 01:00", 1, 1, "confirmed"),
    ("2026-05-05 01:00", 1, 2, "corrected"),
    ("2026-06-01 01:00", 2, 2, "confirmed"),
]


@pytest.fixture
async def stats_server(console_server: ConsoleServer) -> ConsoleServer:
    """The hand-built statistics set on top of the console's own directory (same ids)."""
    rows = hand_built_rows()
    async with console_server.uow_factory() as uow:
        codes = {d.code: d.id for d in await uow.session.scalars(select(Department))}
        districts = {d.code: d.id for d in await uow.session.scalars(select(District))}
        assert (codes["ZJ"], codes["CG"], codes["JT"], districts["DX"]) == (1, 2, 3, 1)
        rows["departments"] = []
        rows["districts"] = [d for d in rows["districts"] if d["code"] != "DX"]
        rows["deputies"] = [d for d in rows["deputies"] if d["id"] != 1]  # the console's own
        rows["routing_decisions"] = [
            {
                "report_id": number,
                "classifier_version": "test",
                "suggested_department_id": suggested,
                "department_id": final,
                "review_status": review,
                "created_at": utc(created),
            }
            for number, (created, suggested, final, review) in enumerate(DECISIONS, start=1)
        ]
        await write_rows(uow.session, rows)
        await uow.commit()
    return console_server


def _oracle(**where: Any) -> Expected:
    """The figures the pages should show now, recounted in Python from the stored rows."""
    return expected_rates(hand_built_rows(), datetime.now(UTC), **where)["total"]


def _tile(html: str, key: str) -> tuple[str, str]:
    found = re.search(
        rf'id="rate-{key}">\s*<strong class="rate-value">([^<]+)</strong>\s*'
        r'<span>[^（]+（<span class="rate-counts">([^<]+)</span>',
        html,
    )
    assert found, f"no {key} tile"
    return found.group(1), found.group(2)


def _shown(expected: Expected) -> dict[str, tuple[str, str]]:
    return {
        key: (Expected.percent(pair), f"{pair[0]}/{pair[1]}")
        for key, pair in (
            ("response", expected.response),
            ("resolution", expected.resolution),
            ("satisfaction", expected.satisfaction),
        )
    }


async def _get(http: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, str], bytes]:
    async with http.get(url, allow_redirects=False) as response:
        return response.status, dict(response.headers), await response.read()


async def test_viewer_sees_the_three_rates_their_definitions_and_svg_charts(
    stats_server: ConsoleServer, login: Login
) -> None:
    http = await login("viewer")
    status, html = await page(http, stats_server.url("/statistics"))
    assert status == 200, html
    expected = _oracle()
    assert {key: _tile(html, key) for key in _shown(expected)} == _shown(expected)
    assert "限时内受理的工单数 ÷ 应受理工单数" in html  # each rate's definition on the page
    assert "分母为 0" in html and "“—”" in html
    assert '<svg class="chart" id="chart-months"' in html and 'id="chart-districts"' in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert 'href="/admin/statistics" class="active"' in html  # the menu entry, highlighted
    assert 'id="table-department"' in html and "市住建局" not in html  # the console's names
    assert "邵阳市住房和城乡建设局" in html


async def test_filters_narrow_the_figures(stats_server: ConsoleServer, login: Login) -> None:
    http = await login("viewer")
    _, html = await page(http, stats_server.url("/statistics?department=CG&district=DX"))
    expected = _oracle(department=2, district=1)
    assert {key: _tile(html, key) for key in _shown(expected)} == _shown(expected)
    assert '<option value="CG" selected>' in html
    _, html = await page(http, stats_server.url("/statistics?from=2026-04-01&to=2026-04-30"))
    april = _oracle(start=date(2026, 4, 1), end=date(2026, 4, 30))
    assert _tile(html, "response") == (Expected.percent(april.response), "0/2")
    assert 'href="/admin/statistics/export/month.xlsx?from=2026-04-01&amp;to=2026-04-30"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("/statistics?from=2026-02-30", "日期格式不正确：2026-02-30"),
        ("/statistics?from=2026-05-01&to=2026-04-01", "开始日期不能晚于结束日期"),
        ("/statistics?department=NOPE", "所选承办单位不存在"),
        ("/statistics/deputies?district=%3Cb%3E", "区县参数无效：&lt;b&gt;"),
        ("/statistics/export/department.csv?to=20261", "日期格式不正确"),
        ("/quality?period=day", "统计周期只能是“周”或“月”"),
    ],
)
async def test_bad_filter_input_gets_a_chinese_400(
    stats_server: ConsoleServer, login: Login, query: str, message: str
) -> None:
    http = await login("viewer")
    status, html = await page(http, stats_server.url(query))
    assert status == 400
    assert message in html and 'id="link-back"' in html


async def test_xlsx_export_matches_the_page_and_carries_the_definitions(
    stats_server: ConsoleServer, login: Login
) -> None:
    http = await login("viewer")
    status, headers, body = await _get(
        http, stats_server.url("/statistics/export/department.xlsx?district=DX")
    )
    assert status == 200
    assert headers["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("UTF-8''")[1]) == "三率统计（按承办单位）.xlsx"
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["承办单位", "工单数", "响应率", "限时受理数", "应受理数"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    now = datetime.now(UTC)
    for department_id, name in ((1, "邵阳市住房和城乡建设局"), (2, "邵阳市城市管理和综合执法局")):
        expected = expected_rates(hand_built_rows(), now, department=department_id, district=1)[
            "total"
        ]
        row = rows[name]
        assert row[1] == expected.tickets
        assert (row[3], row[4]) == tuple(expected.response)
        assert row[2] == pytest.approx(expected.response[0] / expected.response[1])
    assert rows["合计"][1] == (_oracle(district=1)).tickets
    notes = {row[0]: row[1] for row in workbook["口径说明"].iter_rows(values_only=True)}
    assert notes["统计条件"] == "时间：最早 至 最新；承办单位：全部；区县：大祥区"
    assert "响应率" in notes


async def test_csv_exports_read_back_and_empty_rates_show_a_dash(
    stats_server: ConsoleServer, login: Login
) -> None:
    http = await login("viewer")
    status, headers, body = await _get(http, stats_server.url("/statistics/export/month.csv"))
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''" in headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["月份", "工单数", "响应率"]
    february = next(row for row in rows if row[0] == "2026-02")
    assert february[1] == "0" and february[2] == "—"
    for key in ("district", "overdue", "level", "constituency", "station", "deputy"):
        status, _, body = await _get(http, stats_server.url(f"/statistics/export/{key}.csv"))
        assert status == 200, key
        assert len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) > 1, key
    status, _, _ = await _get(http, stats_server.url("/statistics/export/secrets.csv"))
    assert status == 404


async def test_a_formula_in_a_report_summary_is_not_run_by_excel(
    stats_server: ConsoleServer, login: Login
) -> None:
    async with stats_server.uow_factory() as uow:
        await uow.session.execute(
            update(Report).where(Report.number == "SY-T0004").values(summary="=1+1")
        )
        await uow.commit()
    http = await login("viewer")
    _, _, body = await _get(http, stats_server.url("/statistics/export/overdue.xlsx"))
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    summaries = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=1+1" in summaries
    _, _, body = await _get(http, stats_server.url("/statistics/export/overdue.csv"))
    assert "'=1+1" in body.decode("utf-8-sig")


async def test_deputy_record_page_and_its_download(
    stats_server: ConsoleServer, login: Login
) -> None:
    http = await login("viewer")
    status, html = await page(http, stats_server.url("/statistics/deputies"))
    assert status == 200, html
    assert 'id="table-level"' in html and 'id="table-station"' in html
    assert 'id="table-deputy"' in html and "城西联络站" in html
    assert 'id="chart-levels"' in html
    _, _, body = await _get(http, stats_server.url("/statistics/export/deputy.xlsx"))
    rows = list(load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("代表", "层级 · 选区 · 联络站", "提交数")
    assert {row[0] for row in rows[1:]} >= {"李代表", "赵代表"}


async def test_routing_quality_page_and_downloads(
    stats_server: ConsoleServer, login: Login
) -> None:
    http = await login("viewer")
    status, html = await page(http, stats_server.url("/quality"))
    assert status == 200, html
    assert re.search(r'id="tile-accuracy">\s*<strong class="rate-value">66.7%</strong>', html)
    assert 'id="chart-accuracy"' in html and 'id="chart-confusion"' in html
    status, html = await page(http, stats_server.url("/quality?period=week"))
    assert status == 200 and "2026-05-04 起一周" in html
    _, _, body = await _get(http, stats_server.url("/quality/export/confusion.csv"))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1][:3] == ["邵阳市住房和城乡建设局", "邵阳市城市管理和综合执法局", "1"]
    _, _, body = await _get(http, stats_server.url("/quality/export/department.csv"))
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == ["承办单位", "分类器选择数", "查准率", "选对数", "最终承办数", "查全率"]
    _, _, body = await _get(http, stats_server.url("/quality/export/period.xlsx"))
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "2026-05",
        "2026-06",
        "合计",
    ]


async def test_signed_out_visitors_are_sent_to_login(stats_server: ConsoleServer) -> None:
    async with aiohttp.ClientSession() as http:
        for path in ("/statistics", "/statistics/export/department.xlsx", "/quality"):
            status, headers, _ = await _get(http, stats_server.url(path))
            assert status in (302, 303) and "/admin/login" in headers["Location"], path


async def test_department_names_are_escaped_in_tables_and_charts(
    stats_server: ConsoleServer, login: Login
) -> None:
    async with stats_server.uow_factory() as uow:
        await uow.session.execute(
            update(Department).where(Department.code == "CG").values(name="<b>城管</b>")
        )
        await uow.commit()
    http = await login("viewer")
    _, html = await page(http, stats_server.url("/statistics"))
    assert "<b>城管</b>" not in html and "&lt;b&gt;城管&lt;/b&gt;" in html


@pytest.fixture
def info_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="console.stats_cache")
    return caplog


async def test_the_roll_up_counted_at_start_says_when_it_starts_and_ends(
    info_logs: pytest.LogCaptureFixture, stats_server: ConsoleServer
) -> None:
    """Counting every month at start can take a while on a big database: the log says so."""

    def said() -> list[str]:  # the count starts while the console starts (the fixture)
        records = info_logs.get_records("setup") + info_logs.records
        return [r.getMessage() for r in records if r.name == "console.stats_cache"]

    for _ in range(100):  # it runs in the background while the console serves
        if any("months counted in" in line for line in said()):
            break
        await asyncio.sleep(0.05)
    lines = said()
    assert any("counting every month" in line for line in lines), lines
    assert any(re.search(r"\d+ months counted in [\d.]+ s", line) for line in lines), lines
