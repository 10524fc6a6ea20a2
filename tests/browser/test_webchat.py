"""The demo's web chat in a real browser, at a phone's 390×844 and at desktop width: a deputy
picks a persona, presses 开始, verifies by sharing the phone, and files a report with a photo
and a place picked from the list; every screen fits the width and its buttons can be tapped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.demo import demo_places
from emulator.client import EmulatorClient
from emulator.server import RunningEmulator
from intake import RunningIntake
from storage.models import Report, ReportPhoto
from tests.browser.conftest import VIEWPORTS, check_layout
from tests.e2e.conftest import until
from tests.e2e.reporting import jpeg_with_exif

DEPUTY = {"id": 100006, "name": "曾宪文", "phone": "13807390006", "note": "市 · 大祥区"}
TEXT = "大祥区红旗路菜市场门口的下水道堵了一个星期，污水漫到人行道上，气味很大，请尽快疏通。"


async def _bot_text(page: Any, fragment: str) -> None:
    await page.locator(".msg.bot", has_text=fragment).last.wait_for()


async def _tap_inline(page: Any, label: str) -> None:
    await page.locator(".msg.bot .inline-kb button", has_text=label).last.click()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
async def test_a_deputy_verifies_and_files_a_report_with_a_photo_in_the_web_chat(
    viewport: str,
    browser: Any,
    looped: Application,
    emulator: RunningEmulator,
    client: EmulatorClient,
    intake: RunningIntake,
    tmp_path: Path,
) -> None:
    await client.set_personas([DEPUTY])
    await client.set_places(demo_places())
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_with_exif())
    page = await browser.new_page(viewport=VIEWPORTS[viewport])

    async def shot(name: str, *primary: str) -> None:
        await check_layout(page, f"webchat-{viewport}-{name}", list(primary))

    await page.goto(emulator.webchat_url)
    persona = page.locator(".personas button", has_text=DEPUTY["name"])
    await persona.wait_for()
    await page.locator("#bot-status", has_text="已连接").wait_for()
    await shot("personas", ".personas button")
    await persona.click()
    await page.locator("#btn-start").wait_for()  # a new chat offers 开始, as Telegram does
    await shot("start", "#btn-start")

    await page.click("#btn-start")
    await _bot_text(page, "分享您在代表信息库登记的手机号")
    await shot("ask-contact", "#reply-keyboard button")
    await page.locator("#reply-keyboard button", has_text="分享手机号").click()
    await _bot_text(page, "验证成功")
    await shot("verified", "#reply-keyboard button", "#btn-send", "#btn-photo")

    await page.locator("#reply-keyboard button", has_text="反映社情民意").click()
    await _bot_text(page, "请描述群众反映的问题")
    await page.fill("#text", TEXT)
    await page.press("#text", "Enter")
    await _bot_text(page, "已记录")
    await shot("text", ".msg.bot .inline-kb button", "#btn-send")
    await _tap_inline(page, "完成")
    await _bot_text(page, "如有现场照片")
    await page.set_input_files("#file-input", str(photo))
    await _bot_text(page, "已收到第 1 张照片")
    await page.locator(".msg.user img").last.wait_for()
    await shot("photo", ".msg.bot .inline-kb button")
    await _tap_inline(page, "完成")
    await _bot_text(page, "请发送问题发生的位置")
    await page.locator("#reply-keyboard button", has_text="发送当前位置").click()
    await page.locator("#places").wait_for()
    await shot("places", "#place-list button")
    await page.locator("#place-list button", has_text="红旗路街道").click()
    await _bot_text(page, "位置已记录：大祥区 · 红旗路街道")
    await _bot_text(page, "请确认诉求类型")
    await _tap_inline(page, "下一步")
    await _bot_text(page, "反映预览")
    assert "大祥区 · 红旗路街道" in await page.locator(".msg.bot").last.inner_text()
    await shot("preview", ".msg.bot .inline-kb button")
    await _tap_inline(page, "确认提交")
    await _bot_text(page, "已提交！编号")
    await shot("filed", "#reply-keyboard button", "#btn-send")
    await page.close()

    async def filed() -> tuple[Report, list[ReportPhoto]] | None:
        async with looped.uow_factory() as uow:
            found = (await uow.session.scalars(select(Report))).first()
            return (found, await uow.reports.photos(found.id)) if found else None

    report, photos = await until(filed, "the report")
    assert report.town == "红旗路街道" and len(photos) == 1
