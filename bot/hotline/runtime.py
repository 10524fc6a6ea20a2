"""The hotline side of `python -m bot`: the adapter chosen by HOTLINE_ADAPTER, the outbox
worker, and the web app that receives the hotline's signed callbacks."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.hotline.callbacks import callback_routes
from bot.hotline.http_adapter import HttpHotlineAdapter
from bot.hotline.outbox import OutboxWorker
from bot.services.ticket_updates import Notifier
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=60, connect=5, sock_read=30)


class HotlineRuntime:
    def __init__(
        self, settings: Settings, uow_factory: UnitOfWorkFactory, notifier: Notifier
    ) -> None:
        self._settings = settings
        self._uow_factory = uow_factory
        self._notifier = notifier
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._stop = asyncio.Event()
        self._worker_task: asyncio.Task[None] | None = None
        self.worker: OutboxWorker | None = None
        self.web_port: int | None = None

    async def start(self) -> None:
        secret = self._settings.hotline_secret.get_secret_value()
        if self._settings.hotline_adapter == "http":
            # One client session per process, for every outgoing hotline call.
            self._session = aiohttp.ClientSession(timeout=HTTP_TIMEOUT)
            gateway = HttpHotlineAdapter(self._session, self._settings.hotline_url, secret)
            self.worker = OutboxWorker(self._uow_factory, gateway)
            self._worker_task = asyncio.create_task(self.worker.run_forever(self._stop))
        else:
            log.warning(
                "HOTLINE_ADAPTER=%s is not available yet: reports stay in the outbox",
                self._settings.hotline_adapter,
            )
        app = web.Application()
        app.add_routes(callback_routes(self._uow_factory, secret, self._notifier))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._settings.web_host, self._settings.web_port)
        await site.start()
        self.web_port = self._runner.addresses[0][1]  # the real one when WEB_PORT=0
        log.info("web app (hotline callbacks) on %s:%s", self._settings.web_host, self.web_port)

    async def stop(self) -> None:
        self._stop.set()
        if self._worker_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._worker_task, timeout=10)
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()
