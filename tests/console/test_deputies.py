"""The deputy registry page: search, the CLI's import/export over HTTP, and the admin's
deactivate / reactivate / unbind (each audited)."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import aiohttp
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from storage.models import Deputy
from tests.console.conftest import ConsoleServer, Login, page, post_form, upload_deputies

HEADER = ["姓名", "手机号", "层级", "选区", "联络站"]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


async def _download(
    server: ConsoleServer, http: aiohttp.ClientSession, fmt: str
) -> tuple[str, bytes]:
    async with http.get(server.url(f"/deputies/export?format={fmt}")) as response:
        assert response.status == 200
        disposition = unquote(response.headers["Content-Disposition"])
        assert response.headers["Cache-Control"] == "no-store"
        return disposition, await response.read()


async def _deputies(server: ConsoleServer) -> dict[str, Deputy]:
    async with server.uow_factory() as uow:
        return {d.phone: d for d in await uow.session.scalars(select(Deputy))}


async def test_csv_import_then_export_round_trips(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("admin", username="boss")
    status, html = await upload_deputies(
        console_server,
        http,
        "名单.csv",
        _csv(
            [
                ["王代表", "13900000002", "区人大代表", "大祥区第一选区", "城东联络站"],
                ["赵代表", "139 0000 0003", "乡", "城西街道", "城西联络站"],
            ]
        ),
    )
    assert status == 200 and "导入完成：新增 2，更新 0，未变 0" in html
    assert "13900000002" in html and "王代表" in html

    disposition, exported = await _download(console_server, http, "csv")
    assert "代表信息库.csv" in disposition
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert rows[0] == ["姓名", "手机号", "层级", "选区", "联络站", "区县", "状态", "绑定状态"]
    zhao = ["赵代表", "13900000003", "乡", "城西街道", "城西联络站", "大祥区", "在册", "未绑定"]
    assert zhao in rows  # 城西街道 is a town of 大祥区
    li = ["李代表", "13800000001", "市", "大祥区第三选区", "城西联络站"]
    assert [*li, "大祥区", "在册", "已绑定"] in rows

    # The exported file goes straight back in: nothing changes.
    status, html = await upload_deputies(console_server, http, "export.csv", exported)
    assert status == 200 and "新增 0，更新 0，未变 3" in html
    async with console_server.uow_factory() as uow:
        [audit] = await uow.audit.by_action("registry.import")
        assert audit.actor == "console:boss" and audit.after == {
            "file": "名单.csv",
            "created": 2,
            "updated": 0,
        }
        assert len(await uow.audit.by_action("registry.export")) == 1


async def test_xlsx_export_edit_and_import_updates(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("admin")
    disposition, exported = await _download(console_server, http, "xlsx")
    assert "代表信息库.xlsx" in disposition
    sheet = load_workbook(io.BytesIO(exported)).worksheets[0]
    rows = [
        [str(c) if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)
    ]
    assert rows[1][:3] == ["李代表", "13800000001", "市"]
    edited = Workbook()
    target = edited.active
    assert target is not None
    target.append(HEADER)
    target.append(["李代表", "13800000001", "县", "大祥区第三选区", "城南联络站"])
    buffer = io.BytesIO()
    edited.save(buffer)
    status, html = await upload_deputies(console_server, http, "edited.xlsx", buffer.getvalue())
    assert status == 200 and "新增 0，更新 1，未变 0" in html
    deputy = (await _deputies(console_server))["13800000001"]
    assert (deputy.level, deputy.station) == ("县", "城南联络站")


async def test_a_bad_row_imports_nothing_and_says_which_line(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("admin")
    status, html = await upload_deputies(
        console_server,
        http,
        "bad.csv",
        _csv([["王代表", "13900000002", "市", "", ""], ["钱代表", "12345", "市", "", ""]]),
    )
    assert status == 400 and "第 3 行" in html and "格式不正确" in html
    status, html = await upload_deputies(console_server, http, "list.pdf", b"%PDF-1.4")
    assert status == 400 and "只支持 .csv 或 .xlsx 文件" in html
    assert set(await _deputies(console_server)) == {"13800000001"}


async def test_search_by_name_phone_and_bind_status(
    console_server: ConsoleServer, login: Login
) -> None:
    http = await login("admin")
    await upload_deputies(
        console_server, http, "a.csv", _csv([["王代表", "13900000002", "市", "双清区", "站"]])
    )
    _, html = await page(http, console_server.url("/deputies?q=王"))
    assert "13900000002" in html and "13800000001" not in html
    _, html = await page(http, console_server.url("/deputies?q=0000001"))
    assert "13800000001" in html and "13900000002" not in html
    _, html = await page(http, console_server.url("/deputies?bound=yes"))
    assert "13800000001" in html and "13900000002" not in html
    _, html = await page(http, console_server.url("/deputies?bound=no&active=yes"))
    assert "13900000002" in html and "13800000001" not in html


async def test_deactivate_reactivate_and_unbind_are_audited(
    console_server: ConsoleServer, login: Login
) -> None:
    deputy_id = (await _deputies(console_server))["13800000001"].id
    http = await login("admin", username="boss")
    listing = console_server.url("/deputies?q=李")
    for action, expected in [
        ("deactivate", "已停用代表 李代表"),
        ("reactivate", "已恢复代表 李代表"),
        ("unbind", "已解除代表 李代表 的 Telegram 绑定"),
    ]:
        status, html = await post_form(
            http,
            console_server.url(f"/deputies/{deputy_id}/{action}"),
            {"back": "/admin/deputies?q=李", "confirm": "yes"},
            csrf_from=listing,
        )
        assert status == 200 and expected in html, action
    deputy = (await _deputies(console_server))["13800000001"]
    assert deputy.active and deputy.telegram_user_id is None and deputy.bound_at is None
    async with console_server.uow_factory() as uow:
        [off] = await uow.audit.by_action("deputy.deactivate")
        assert (off.actor, off.before, off.after) == (
            "console:boss",
            {"active": True},
            {"active": False},
        )
        assert len(await uow.audit.by_action("deputy.reactivate")) == 1
        [unbind] = await uow.audit.by_action("deputy.unbind")
        assert unbind.before is not None and unbind.before["tg"] == "tg:710001"
    status, html = await post_form(
        http, console_server.url("/deputies/999/deactivate"), {}, csrf_from=listing
    )
    assert status == 404 and "代表不存在" in html


async def test_deactivation_asks_for_confirmation_first(
    console_server: ConsoleServer, login: Login
) -> None:
    deputy_id = (await _deputies(console_server))["13800000001"].id
    http = await login("admin")
    listing = console_server.url("/deputies?q=李")
    status, html = await post_form(
        http,
        console_server.url(f"/deputies/{deputy_id}/deactivate"),
        {"back": "/admin/deputies?q=李"},
        csrf_from=listing,
    )
    assert status == 200 and "确认停用" in html and "李代表" in html
    assert 'name="confirm" value="yes"' in html and 'href="/admin/deputies?q=李"' in html
    assert (await _deputies(console_server))["13800000001"].active  # nothing done yet
    async with console_server.uow_factory() as uow:
        assert await uow.audit.by_action("deputy.deactivate") == []
