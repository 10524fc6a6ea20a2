"""The bot's one aiohttp web application: the hotline's callbacks and the web consoles share it.

Features contribute routes or sub-apps before `start()`; a port that cannot be bound is logged
loudly and the bot keeps serving deputies (only the web side is off until WEB_PORT is fixed)."""

from __future__ import annotations

import logging

from aiohttp import web

log = logging.getLogger(__name__)


class WebServer:
    def __init__(self, host: str, port: int) -> None:
        self.app = web.Application()
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the real port once listening (WEB_PORT=0 picks a free one)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self._host, self._port).start()
        except OSError as error:
            log.error(
                "web app cannot listen on %s:%s (%s): hotline callbacks and consoles are OFF",
                self._host,
                self._port,
                error,
            )
            return
        self.port = self._runner.addresses[0][1]
        log.info("web app (hotline callbacks, consoles) on %s:%s", self._host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
