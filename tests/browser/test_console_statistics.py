"""The statistics page in a real browser (Debian's chromium driven by Playwright): a viewer signs
in, reads the 三率 of a seeded year of tickets — checked against the same rows recounted in
Python — and downloads the per-department table as XLSX, read back with openpyxl."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from benchmarks.statistics_seed import Seeded, SeedPlan, seed_statistics
from bot.config import Settings
from bot.web import WebServer
from console import add_routes
from storage.bootstrap import open_database
from tests.console.conftest import PASSWORD, RecordingNotifier, create_user
from tests.statistics_data import Expected, expected_rates

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).parents[2] / "test-output" / "browser"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)


@dataclass
class Running:
    base_url: str
    seeded: Seeded


@pytest.fixture
async def statistics_server(sqlite_url: str) -> AsyncIterator[Running]:
    engine, uow_factory = await open_database(sqlite_url)
    # A year of tickets ending an hour ago, so no deadline falls between our count and the page's.
    plan = SeedPlan(tickets=400, deputies=60, now=datetime.now(UTC) - timedelta(hours=1))
    seeded = await seed_statistics(engine, plan, keep=True)
    await create_user(uow_factory, "tongji", "viewer")
    server = WebServer("127.0.0.1", 0)
    add_routes(server.app, Settings(_env_file=None), uow_factory, RecordingNotifier())
    await server.start()
    yield Running(f"http://127.0.0.1:{server.port}", seeded)
    await server.stop()
    await engine.dispose()


async def test_viewer_reads_the_three_rates_and_downloads_them_as_xlsx(
    statistics_server: Running, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    rows = statistics_server.seeded.rows
    names = {d["id"]: d["name"] for d in rows["departments"]}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        await page.goto(f"{statistics_server.base_url}/admin/login")
        await page.fill("input[name=username]", "tongji")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("#btn-login")
        await page.wait_for_selector("#current-user")
        await page.click("nav.mainnav >> text=统计分析")
        await page.wait_for_selector("#rate-response")
        now = datetime.now(UTC)
        expected = expected_rates(rows, now)["total"]
        for key, pair in (
            ("response", expected.response),
            ("resolution", expected.resolution),
            ("satisfaction", expected.satisfaction),
        ):
            shown = await page.inner_text(f"#rate-{key} .rate-value")
            counts = await page.inner_text(f"#rate-{key} .rate-counts")
            assert (shown, counts) == (Expected.percent(pair), f"{pair[0]}/{pair[1]}"), key
        assert await page.locator("svg#chart-months polyline").count() == 3
        await page.screenshot(path=str(OUTPUT / "statistics.png"), full_page=True)
        await page.screenshot(path=str(OUTPUT / "statistics-top.png"))

        async with page.expect_download() as download_info:
            await page.click("#export-department-xlsx")
        download = await download_info.value
        assert download.suggested_filename == "三率统计（按承办单位）.xlsx"
        saved = tmp_path / "departments.xlsx"
        await download.save_as(saved)
        await browser.close()

    sheet = load_workbook(saved).worksheets[0]
    table = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    by_department = expected_rates(rows, now, lambda t, _r: names[t["department_id"]])
    assert set(table) == {*by_department, "合计"}
    for name, want in [*by_department.items(), ("合计", expected)]:
        row = table[str(name)]
        assert row[1] == want.tickets, name
        assert (row[3], row[4]) == tuple(want.response), name
        assert (row[6], row[7]) == tuple(want.resolution), name
        assert (row[9], row[10]) == tuple(want.satisfaction), name
        if want.response[1]:
            assert row[2] == pytest.approx(want.response[0] / want.response[1]), name
        else:
            assert row[2] == "—", name
