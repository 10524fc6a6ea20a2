"""The 督办 desk in Debian's chromium (Playwright) on a 390×844 phone and at desktop width:
the queue with each case's reasons, a case page with its whole history (photo, hotline
events, ratings with reasons, deadlines), then 发起督办 and 办结督办 through the page's own
forms. Nothing scrolls sideways; the action buttons are visible and big enough to tap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.services.supervision.detection import SupervisionDetector, SupervisionRules
from bot.web import WebServer
from console import add_routes
from storage.base import utcnow
from storage.bootstrap import open_database
from storage.models import Rating, TicketEvent
from tests.browser.conftest import VIEWPORTS, check_layout
from tests.console.conftest import PASSWORD, RecordingNotifier, create_user
from tests.console.seed import add_photo, add_report, seed_directory


@pytest.fixture
async def desk_url(
    sqlite_url: str, tmp_path: Path
) -> AsyncIterator[tuple[str, RecordingNotifier]]:
    engine, uow_factory = await open_database(sqlite_url)
    await seed_directory(uow_factory)
    await create_user(uow_factory, "wang", "operator")
    seeded = await add_report(
        uow_factory,
        text="城西街道幸福小区3栋电梯停运两个月，物业不予维修，老人上下楼困难。",
        ticket="T-2026-0042",
        status="已答复",
    )
    await add_photo(uow_factory, seeded.report_id, tmp_path / "photos")
    other = await add_report(
        uow_factory, number="SY20261125-0002", ticket="T-2026-0043", status="办理中"
    )
    async with uow_factory() as uow:
        report = await uow.reports.get(seeded.report_id)
        ticket = await uow.reports.ticket(seeded.report_id)
        late = await uow.reports.ticket(other.report_id)
        assert report is not None and ticket is not None and late is not None
        late.due_at = utcnow() - timedelta(days=2)
        for n, (status, note) in enumerate(
            [
                ("已受理", ""),
                ("已答复", "已协调物业维修"),
                ("办理中", "重办"),
                ("已答复", "已再次督促"),
            ]
        ):
            uow.session.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    external_event_id=f"e{n}",
                    status=status,
                    note=note,
                    actor="12345 坐席",
                )
            )
        for round_, reason in ((1, "电梯仍未修好"), (2, "物业说没钱修")):
            uow.session.add(
                Rating(
                    report_id=report.id,
                    deputy_id=report.deputy_id,
                    score="不满意",
                    comment=reason,
                    round=round_,
                )
            )
        await uow.commit()
    await SupervisionDetector(uow_factory, SupervisionRules()).run_once(utcnow())
    notifier = RecordingNotifier()
    server = WebServer("127.0.0.1", 0)
    add_routes(server.app, Settings(_env_file=None), uow_factory, notifier)
    await server.start()
    yield f"http://127.0.0.1:{server.port}/admin", notifier
    await server.stop()
    await engine.dispose()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
async def test_the_desk_and_a_case_page_fit_a_phone_and_a_desktop(
    viewport: str, browser: Any, desk_url: tuple[str, RecordingNotifier]
) -> None:
    base, notifier = desk_url
    page = await browser.new_page(viewport=VIEWPORTS[viewport])

    async def shot(name: str, *primary: str) -> None:
        await check_layout(page, f"supervision-{viewport}-{name}", list(primary))

    await page.goto(f"{base}/login")
    await page.fill("input[name=username]", "wang")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("#btn-login")
    await page.wait_for_selector("#tile-supervision")
    assert (await page.inner_text("#tile-supervision strong")).strip() == "2"
    await shot("home", "#tile-supervision")

    await page.click("#tile-supervision")
    await page.wait_for_selector("#supervision-queue")
    queue = await page.inner_text("#supervision-queue")
    assert "重办后仍不满意" in queue and "超期未办结" in queue
    await shot("queue")

    await page.click("#supervision-queue a >> nth=0")
    await page.wait_for_selector("#case-ratings")
    ratings = await page.inner_text("#case-ratings")
    assert "电梯仍未修好" in ratings and "物业说没钱修" in ratings
    assert "已再次督促" in await page.inner_text("#case-events")
    await page.locator("#report-photos img").first.wait_for()
    assert await page.evaluate("document.querySelector('#report-photos img').naturalWidth") > 0
    await shot("case", "#btn-start", "#btn-contact", "#btn-hand-over", "#btn-close")

    await page.fill("#start-deadline", "2099-01-05T17:30")
    await page.fill("#start-note", "请住建局督促物业限期修复电梯")
    await page.click("#btn-start")
    await page.wait_for_selector("#case-state[data-state=supervising]")
    assert "2099-01-05 17:30" in await page.inner_text("#case-new-deadline")
    await page.fill("#contact-note", "电话联系住建局王科长，承诺本周内修复")
    await page.click("#btn-contact")
    await page.wait_for_selector("#case-notes li[data-kind=contact]")
    await shot("supervising", "#btn-close")

    await page.fill("#close-outcome", "电梯已修复并通过验收")
    await page.click("#btn-close")
    await page.wait_for_selector("#case-state[data-state=closed]")
    await shot("closed")
    texts = [text for _, text in notifier.sent]
    assert any("发起督办" in t for t in texts) and any("督办已办结" in t for t in texts)
