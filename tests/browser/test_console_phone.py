"""The admin console on a 390×844 phone and at desktop width (Debian's chromium driven by
Playwright): the front page, a case page (a report's routing decision, with its photo), 统计分析
and 分派质量 over a seeded year of tickets. Nothing scrolls sideways, the primary buttons are
visible and big enough to tap, and the charts have titles and readable labels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from benchmarks.statistics_seed import SeedPlan, seed_statistics
from bot.config import Settings
from bot.web import WebServer
from console import add_routes
from storage.bootstrap import open_database
from storage.models import RoutingDecision
from tests.browser.conftest import VIEWPORTS, check_layout
from tests.console.conftest import PASSWORD, RecordingNotifier, create_user
from tests.console.seed import add_photo


@pytest.fixture
async def console_url(sqlite_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, int]]:
    engine, uow_factory = await open_database(sqlite_url)
    plan = SeedPlan(tickets=300, deputies=40, now=datetime.now(UTC) - timedelta(hours=1))
    await seed_statistics(engine, plan)
    await create_user(uow_factory, "wang", "admin")
    async with uow_factory() as uow:
        decision = (await uow.session.scalars(select(RoutingDecision).limit(1))).one()
    await add_photo(uow_factory, decision.report_id, tmp_path / "photos")
    server = WebServer("127.0.0.1", 0)
    add_routes(server.app, Settings(_env_file=None), uow_factory, RecordingNotifier())
    await server.start()
    yield f"http://127.0.0.1:{server.port}/admin", decision.id
    await server.stop()
    await engine.dispose()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
async def test_front_page_case_page_and_statistics_fit_a_phone_and_a_desktop(
    viewport: str, browser: Any, console_url: tuple[str, int]
) -> None:
    base, decision_id = console_url
    page = await browser.new_page(viewport=VIEWPORTS[viewport])

    async def shot(name: str, *primary: str) -> None:
        await check_layout(page, f"admin-{viewport}-{name}", list(primary))

    await page.goto(f"{base}/login")
    await shot("login", "#btn-login")
    await page.fill("input[name=username]", "wang")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("#btn-login")
    await page.wait_for_selector("#tile-dead")
    await shot("home", "#tile-pending", "#btn-logout")

    await page.goto(f"{base}/decisions/{decision_id}")
    await page.wait_for_selector("#report-text")
    await page.locator("#report-photos img").first.wait_for()
    assert await page.evaluate("document.querySelector('#report-photos img').naturalWidth") > 0
    await shot("case", "#btn-correct", "#correct-department")

    await page.goto(f"{base}/decisions")
    await page.wait_for_selector("#form-filters")
    await shot("decisions", "form.filters button[type=submit]")

    await page.goto(f"{base}/statistics")
    await page.wait_for_selector("#rate-response")
    await shot("statistics", "form.filters button[type=submit]")
    titles = await page.locator(".charts figcaption").all_inner_texts()
    assert len(titles) >= 2 and all(t.strip() for t in titles)  # every chart says what it is

    await page.goto(f"{base}/quality")
    await page.wait_for_selector("svg.chart")
    await shot("quality", "form.filters button[type=submit]")

    # Every other page fits as well.
    for name, path, primary in [
        ("statistics-deputies", "/statistics/deputies", ["form.filters button[type=submit]"]),
        ("triage", "/triage", []),
        ("deputies", "/deputies", ["#btn-search", "#btn-import"]),
        ("departments", "/departments", []),
        ("department", "/departments/1", ["#btn-save"]),
        ("dead-letters", "/dead-letters", []),
    ]:
        await page.goto(base + path)
        await page.wait_for_selector("main h1")
        await shot(name, *primary)
    await page.close()
