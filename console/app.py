"""Builds the console: a sub-application mounted at /admin on the bot's one web app, with its
middlewares, static files and every view module's pages. To add a page module, list it in
`VIEWS` (see console/README.md)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from console.context import CONSOLE, PREFIX, ConsoleContext, Handler
from console.pages import Access, ConsolePages, NavItem
from console.render import NAV
from console.security import ACCESS, authenticate, csrf, unit_of_work
from console.stats_cache import warm_rollup
from console.views import (
    auth,
    dead_letters,
    decisions,
    departments,
    deputies,
    home,
    quality,
    statistics,
    supervision,
    triage,
)

STATIC = Path(__file__).parent / "static"
ICON_HEADERS = {"Content-Type": "image/x-icon", "Cache-Control": "max-age=86400"}
VIEWS: list[ConsolePages] = [
    auth.pages,
    home.pages,
    decisions.pages,
    triage.pages,
    supervision.pages,
    departments.pages,
    deputies.pages,
    dead_letters.pages,
    statistics.pages,
    quality.pages,
]


def build_console(ctx: ConsoleContext, views: list[ConsolePages] | None = None) -> web.Application:
    console = web.Application(middlewares=[unit_of_work, authenticate, csrf])
    console[CONSOLE] = ctx
    access: dict[Handler, Access] = {}
    nav: list[NavItem] = []
    for module in views or VIEWS:
        console.add_routes(module.routes)
        access.update(module.access)
        nav.extend(module.nav)
    console[ACCESS] = access
    console[NAV] = sorted(nav, key=lambda item: item.order)
    console.router.add_static("/static", STATIC)
    console.cleanup_ctx.append(warm_rollup)
    return console


def mount(app: web.Application, ctx: ConsoleContext) -> None:
    """Adds the console under /admin/ (and sends a bare /admin there)."""

    async def to_console(_request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{PREFIX}/")

    async def favicon(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "favicon.ico", headers=ICON_HEADERS)

    app.router.add_get(PREFIX, to_console)
    app.router.add_get("/favicon.ico", favicon)  # browsers ask the site root for it
    app.add_subapp(PREFIX, build_console(ctx))
