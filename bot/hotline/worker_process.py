"""`python -m bot worker`: a process that only delivers the outbox to the hotline.

Run it beside `python -m bot` (with OUTBOX_WORKER_IN_BOT=false there) when delivery needs more
hands; on PostgreSQL several workers share the queue safely (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from bot.config import Settings
from bot.hotline.runtime import HotlineRuntime
from storage.bootstrap import open_database

log = logging.getLogger(__name__)


async def run_worker(settings: Settings) -> int:
    engine, uow_factory = await open_database(settings.database_url)
    runtime = HotlineRuntime(settings, uow_factory, notifier=None)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows
            loop.add_signal_handler(stop_signal, stop.set)
    try:
        await runtime.start(deliver_only=True)
        if runtime.worker is None:
            print(
                f"HOTLINE_ADAPTER={settings.hotline_adapter} 不支持独立的投递进程。",
                file=sys.stderr,
            )
            return 2
        log.info("outbox worker delivering to %s", settings.hotline_adapter)
        await stop.wait()
    finally:
        await runtime.stop()
        await engine.dispose()
    return 0
