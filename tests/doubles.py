"""Doubles shared by the suites: the deputy's Telegram chat, and a stub HTTP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from bot.services.notices import DeputyNotice, RatingPrompt, StatusChanged
from bot.texts.notices import render


@dataclass
class RecordingNotifier:
    """The deputy's Telegram chat, as far as these tests care (the outside world)."""

    sent: list[tuple[int, str]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    prompts: list[RatingPrompt | None] = field(default_factory=list)

    async def notify(self, telegram_user_id: int, notice: DeputyNotice) -> None:
        """Kept as the deputy would read it, in the bot's words."""
        self.sent.append((telegram_user_id, render(notice)))
        self.prompts.append(notice.rating if isinstance(notice, StatusChanged) else None)
        self.changed.set()


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serves `app` on 127.0.0.1 (a free port) and yields its base URL, `http://host:port`."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()
