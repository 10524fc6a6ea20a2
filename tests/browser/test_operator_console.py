"""The 12345 operator console in a real browser (Debian's chromium driven by Playwright), on a
390×844 phone and at desktop width: an operator accepts, re-routes, dispatches, answers and
closes a ticket a deputy filed; the queue and the ticket fit the screen and the buttons can be
tapped."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from intake import RunningIntake, start_intake
from protocol.signing import signed_headers
from tests.browser.conftest import VIEWPORTS, check_layout

SECRET = "browser-test-secret"
PASSWORD = "browser-pass-123"


@pytest.fixture
async def intake(tmp_path: Path) -> AsyncIterator[RunningIntake]:
    running = await start_intake(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.sqlite3'}",
        secret=SECRET,
        callback_url=None,
    )
    await running.accounts.add("xiaowang", PASSWORD, "派单员", actor="test")
    await running.accounts.add("guanli", PASSWORD, "管理员", actor="test")
    yield running
    await running.close()


async def _file_ticket(intake: RunningIntake) -> str:
    body = json.dumps(
        {
            "report_number": "SY20261125-0042",
            "department_code": "CG",
            "summary": "小区物业乱收停车费",
            "text": "大祥区某小区物业<script>alert(1)</script>乱收停车费，业主投诉无人处理。",
            "appeal_type": "投诉",
            "urgency": "一般",
            "district": "大祥区",
            "reporter": {"name": "曾宪文", "phone": "13807390006", "level": "市"},
        },
        ensure_ascii=False,
    ).encode()
    headers = {"Content-Type": "application/json"}
    headers.update(signed_headers(SECRET, "POST", "/api/v1/tickets", body, key="report-42"))
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{intake.base_url}/api/v1/tickets", data=body, headers=headers) as r:
            assert r.status == 201, await r.text()
            return str((await r.json())["ticket_id"])


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
async def test_operator_accepts_reroutes_and_answers_in_the_browser(
    viewport: str, browser: Any, intake: RunningIntake
) -> None:
    ticket = await _file_ticket(intake)
    page = await browser.new_page(viewport=VIEWPORTS[viewport])

    async def shot(name: str, *primary: str) -> None:
        await check_layout(page, f"operator-{viewport}-{name}", list(primary))

    await page.goto(f"{intake.base_url}/console/login")
    await shot("login", "#btn-login")
    await page.fill("#username", "xiaowang")
    await page.fill("#password", PASSWORD)
    await page.click("#form-login button[type=submit]")
    await page.wait_for_selector(f"#ticket-{ticket}")
    # On a phone each ticket is a card whose number is the thing to tap.
    await shot("queue", "#btn-filter", *([f"#ticket-{ticket} a"] if viewport == "phone" else []))

    await page.click(f"#ticket-{ticket} a")
    assert "<script>alert(1)</script>" in await page.inner_text("body")  # shown, not run
    await shot("ticket", "#btn-accept")
    await page.click("#btn-accept")
    await page.wait_for_selector("#btn-reroute")
    await shot("ticket-accepted", "#btn-reroute", "#btn-dispatch", "#btn-return")
    await page.select_option("#reroute-department", "ZJ")
    await page.fill("#reroute-reason", "物业收费归住建部门管理")
    await page.click("#btn-reroute")
    await page.wait_for_selector("#btn-accept")
    await page.click("#btn-accept")
    await page.wait_for_selector("#btn-dispatch")
    await page.click("#btn-dispatch")
    await page.wait_for_selector("#answer-text")
    await shot("ticket-dispatched", "#btn-answer", "#btn-progress")
    await page.fill("#answer-text", "已责令物业公司停止收取停车费并退还多收费用。")
    await page.click("#btn-answer")
    await page.wait_for_selector("#btn-close")
    await page.click("#btn-close")
    await page.wait_for_selector("#flash")
    await shot("ticket-closed")
    await page.close()

    stored = await intake.store.get(ticket)
    assert stored is not None
    assert stored["status"] == "已办结" and stored["department_code"] == "ZJ"
    assert stored["answer"] == "已责令物业公司停止收取停车费并退还多收费用。"
    statuses = [e["status"] for e in await intake.store.events_for(stored["id"])]
    assert statuses == ["已提交", "已受理", "改派", "已受理", "已派单", "已答复", "已办结"]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
async def test_an_admin_signs_in_adds_an_account_and_reads_the_audit_log(
    viewport: str, browser: Any, intake: RunningIntake
) -> None:
    page = await browser.new_page(viewport=VIEWPORTS[viewport])
    await page.goto(f"{intake.base_url}/console/login")
    await page.fill("#username", "GuanLi")  # any case signs in to the one account
    await page.fill("#password", "wrong-password")
    await page.click("#btn-login")
    await page.wait_for_selector("#error")
    assert "用户名或密码错误" in await page.inner_text("#error")
    await page.fill("#password", PASSWORD)
    await page.click("#btn-login")
    await page.wait_for_selector("#nav-accounts")
    await page.click("#nav-accounts")
    await page.wait_for_selector("#form-account-add")
    await page.fill("#new-username", "王芳")
    await page.select_option("#new-role", "call_taker")
    await page.fill("#new-password", "new-operator-1")
    await page.click("#btn-account-add")
    await page.wait_for_selector("#flash")
    assert "已创建账号 王芳（话务员）" in await page.inner_text("#flash")
    await check_layout(page, f"operator-{viewport}-accounts", ["#btn-account-add"])
    await page.click("#nav-audit")
    await page.wait_for_selector("#audit-log")
    log = await page.inner_text("#audit-log")
    assert "创建账号" in log and "密码错误" in log and "登录" in log
    await check_layout(page, f"operator-{viewport}-audit", [])
    await page.close()
