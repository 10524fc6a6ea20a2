"""The 12345 operator console in a real browser (Debian's chromium driven by Playwright):
an operator accepts, re-routes, dispatches, answers and closes a ticket a deputy filed."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from intake import RunningIntake, start_intake
from protocol.signing import signed_headers

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).parents[2] / "test-output" / "browser"
SECRET = "browser-test-secret"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)


@pytest.fixture
async def intake(tmp_path: Path) -> AsyncIterator[RunningIntake]:
    running = await start_intake(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.sqlite3'}",
        secret=SECRET,
        callback_url=None,
    )
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


async def test_operator_accepts_reroutes_and_answers_in_the_browser(
    intake: RunningIntake,
) -> None:
    from playwright.async_api import async_playwright

    ticket = await _file_ticket(intake)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(viewport={"width": 1200, "height": 900})
        await page.goto(f"{intake.base_url}/console/login")
        await page.fill("input[name=operator_name]", "话务员小王")
        await page.click("#form-login button[type=submit]")
        await page.wait_for_selector(f"#ticket-{ticket}")
        await page.screenshot(path=str(OUTPUT / "queue.png"), full_page=True)

        await page.click(f"#ticket-{ticket} a")
        assert "<script>alert(1)</script>" in await page.inner_text("body")  # shown, not run
        await page.click("#btn-accept")
        await page.wait_for_selector("#btn-reroute")
        await page.select_option("#reroute-department", "ZJ")
        await page.fill("#reroute-reason", "物业收费归住建部门管理")
        await page.click("#btn-reroute")
        await page.wait_for_selector("#btn-accept")
        await page.click("#btn-accept")
        await page.wait_for_selector("#btn-dispatch")
        await page.click("#btn-dispatch")
        await page.wait_for_selector("#answer-text")
        await page.fill("#answer-text", "已责令物业公司停止收取停车费并退还多收费用。")
        await page.click("#btn-answer")
        await page.wait_for_selector("#btn-close")
        await page.click("#btn-close")
        await page.wait_for_selector("#flash")
        await page.screenshot(path=str(OUTPUT / "ticket.png"), full_page=True)
        await browser.close()

    stored = await intake.store.get(ticket)
    assert stored is not None
    assert stored["status"] == "已办结" and stored["department_code"] == "ZJ"
    assert stored["answer"] == "已责令物业公司停止收取停车费并退还多收费用。"
    statuses = [e["status"] for e in await intake.store.events_for(stored["id"])]
    assert statuses == ["已提交", "已受理", "改派", "已受理", "已派单", "已答复", "已办结"]
