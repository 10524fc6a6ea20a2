"""aiohttp application wiring: Bot API, file downloads, control API, web chat."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from emulator import control, webhook
from emulator.botapi import WORLD_KEY, handle_call, handle_file
from emulator.state import World

WEBCHAT_DIR = Path(__file__).parent / "webchat"
MAX_BODY = 60 * 1024 * 1024  # documents may be 50 MB; aiohttp's default is 1 MB


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEBCHAT_DIR / "index.html")


async def favicon(request: web.Request) -> web.FileResponse:
    headers = {"Content-Type": "image/x-icon", "Cache-Control": "max-age=86400"}
    return web.FileResponse(WEBCHAT_DIR / "favicon.ico", headers=headers)


def create_app(world: World | None = None) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY, middlewares=[control.control_errors])
    app[WORLD_KEY] = world or World()
    app.router.add_route("*", "/bot{token}/{method}", handle_call)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
    app.router.add_routes(control.routes)
    app.router.add_get("/", index)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_static("/static/", WEBCHAT_DIR)
    return app


@dataclass
class RunningEmulator:
    base_url: str
    state: World
    runner: web.AppRunner

    @property
    def webchat_url(self) -> str:
        return self.base_url + "/"

    async def close(self) -> None:
        self.state.closed = True
        self.state.notify()  # let waiting long polls answer now
        await webhook.stop_all(self.state)
        await self.runner.cleanup()


async def start_emulator(host: str = "127.0.0.1", port: int = 0) -> RunningEmulator:
    """Serve the emulator; ``port=0`` binds a free port (see ``base_url``)."""
    world = World()
    runner = web.AppRunner(create_app(world), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    return RunningEmulator(f"http://{host}:{bound_port}", world, runner)
