"""A round-robin HTTP balancer on loopback, standing in for nginx in tests: each request goes
to the next instance in turn, and the balancer remembers which instance got which update."""

from __future__ import annotations

import itertools
import json
from typing import Any

import aiohttp
from aiohttp import web


class RoundRobin:
    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self._next = itertools.cycle(range(len(targets)))
        self.routed: list[tuple[int, dict[str, Any]]] = []  # (instance index, update)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self, path: str) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._session = aiohttp.ClientSession()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}{path}"
        return self.url

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        index = next(self._next)
        body = await request.read()
        try:
            self.routed.append((index, json.loads(body)))
        except ValueError:
            pass
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        url = self.targets[index] + request.rel_url.path_qs
        async with self._session.request(
            request.method, url, data=body, headers=headers
        ) as response:
            return web.Response(status=response.status, body=await response.read())

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()
