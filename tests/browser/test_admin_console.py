"""The admin console (/admin/) in a real browser (Debian's chromium driven by Playwright): an
admin signs in, corrects a routing decision and sees the report's department change, assigns
a triage report (the deputy is told), and every page is saved as a screenshot."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.web import WebServer
from console import add_routes
from storage.models import Report, ReportStatus
from storage.uow import UnitOfWorkFactory
from tests.console.conftest import PASSWORD, ConsoleServer, RecordingNotifier, create_user
from tests.console.seed import (
    DEPUTY_TELEGRAM_ID,
    XSS,
    XSS_IMG,
    add_dead_letter,
    add_report,
    seed_directory,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).parents[2] / "test-output" / "browser"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)


@pytest.fixture
async def console(uow_factory: UnitOfWorkFactory) -> AsyncIterator[ConsoleServer]:
    await seed_directory(uow_factory)
    await create_user(uow_factory, "wang", "admin")
    notifier = RecordingNotifier()
    server = WebServer("127.0.0.1", 0)
    add_routes(server.app, Settings(_env_file=None), uow_factory, notifier)
    await server.start()
    yield ConsoleServer(f"http://127.0.0.1:{server.port}", uow_factory, notifier, [])
    await server.stop()


async def _report(server: ConsoleServer, report_id: int) -> tuple[str, str | None]:
    async with server.uow_factory() as uow:
        report = await uow.session.get(Report, report_id)
        assert report is not None
        department = await uow.directory.department_by_id(report.department_id)
        return report.status, department.code if department else None


async def test_admin_corrects_a_decision_and_assigns_triage_in_the_browser(
    console: ConsoleServer,
) -> None:
    from playwright.async_api import async_playwright

    routed = await add_report(
        console.uow_factory,
        number="SY20261125-0001",
        text=f"小区物业乱收停车费{XSS}{XSS_IMG}，业主多次反映无人处理。",
        department="CG",
    )
    waiting = await add_report(
        console.uow_factory,
        number="SY20261125-0002",
        text="城西街道路灯坏了好几天，晚上很黑。",
        department=None,
        suggested="JT",
        status=ReportStatus.TRIAGE,
        confidence=0.32,
    )
    failed = await add_report(console.uow_factory, number="SY20261125-0003")
    await add_dead_letter(console.uow_factory, failed.report_id, "HTTP 503 from intake")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []

    async def shot(name: str) -> None:
        await page.screenshot(path=str(OUTPUT / f"admin-{name}.png"), full_page=True)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))

        await page.goto(console.url("/decisions"))  # not signed in: the login page first
        await page.wait_for_selector("#form-login")
        await shot("login")
        await page.fill("input[name=username]", "wang")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("#btn-login")
        await page.wait_for_selector(f"#decision-{routed.decision_id}")
        await shot("decisions")

        await page.click(f"#decision-{routed.decision_id} a")
        await page.wait_for_selector("#candidates")
        assert XSS in await page.inner_text("#report-text")  # shown as text, never run
        assert "邵阳市城市管理和综合执法局" in await page.inner_text("#report-department")
        await shot("decision")
        await page.select_option("#correct-department", "ZJ")
        await page.fill("#correct-note", "物业收费归住建部门管理")
        await page.click("#btn-correct")
        await page.wait_for_selector("#flash")
        assert "更正为“邵阳市住房和城乡建设局”" in await page.inner_text("#flash")
        assert "邵阳市住房和城乡建设局" in await page.inner_text("#report-department")
        assert "更正分类" in await page.inner_text("#history")
        await shot("decision-corrected")

        await page.click("nav.mainnav >> text=待人工分派")
        await page.wait_for_selector(f"#triage-{waiting.report_id}")
        await shot("triage")
        await page.select_option(f"#assign-department-{waiting.report_id}", "JT")
        await page.click(f"#btn-assign-{waiting.report_id}")
        await page.wait_for_selector("#flash")
        assert "并已告知代表" in await page.inner_text("#flash")
        await page.wait_for_selector("#empty")
        await shot("triage-assigned")

        for name, path, ready in [
            ("home", "/", "#tile-dead"),
            ("deputies", "/deputies", "#deputies"),
            ("dead-letters", "/dead-letters", "#btn-retry-all"),
            ("departments", "/departments", "#department-ZJ"),
        ]:
            await page.goto(console.url(path))
            await page.wait_for_selector(ready)
            await shot(name)
        await page.click("#department-ZJ a")
        await page.fill("#field-keywords", "物业\n房屋维修")
        await page.click("#btn-save")
        await page.wait_for_selector("#flash")
        await shot("department")
        await page.click("#versions-link")
        await page.wait_for_selector("#version-2")
        await shot("department-versions")
        await browser.close()

    assert await _report(console, routed.report_id) == (ReportStatus.SUBMITTED, "ZJ")
    assert await _report(console, waiting.report_id) == (ReportStatus.SUBMITTED, "JT")
    [(telegram_id, notice)] = console.notifier.sent
    assert telegram_id == DEPUTY_TELEGRAM_ID and "SY20261125-0002" in notice
    assert dialogs == []  # no stored script ever ran
