"""What the browser tests share: Debian's chromium (never a downloaded browser), the two
viewports every page must work at (a 390×844 phone and a desktop), the layout checks (no
horizontal scrolling, primary buttons visible and at least 40 px high) and the screenshots
kept in test-output/browser/ (git-ignored) for people to look at."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

# The end-to-end stack (the bot polling the emulator, the intake) for the web chat test.
from tests.e2e.conftest import (  # noqa: F401
    bot_web_port,
    classifier,
    client,
    emulator,
    intake,
    looped,
    start_bot,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).parents[2] / "test-output" / "browser"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
MIN_TAP = 40  # px: a thumb's target


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.async_api import async_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        await launched.close()


async def check_layout(page: Any, shot: str, primary: list[str]) -> None:
    """The page fits its viewport's width (nothing to scroll sideways), each primary button is
    visible and big enough to tap; a full-page screenshot is kept as `shot`.png."""
    await page.screenshot(path=str(OUTPUT / f"{shot}.png"), full_page=True)
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{shot}: scrolls sideways ({widths[0]} > {widths[1]} px)"
    for selector in primary:
        button = page.locator(selector).first
        assert await button.is_visible(), f"{shot}: {selector} is not visible"
        box = await button.bounding_box()
        assert box is not None and box["height"] >= MIN_TAP, f"{shot}: {selector} is {box}"
        assert box["x"] >= 0 and box["x"] + box["width"] <= widths[1] + 0.5, (
            f"{shot}: {selector} sticks out of the screen ({box})"
        )
