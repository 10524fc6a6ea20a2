"""The front page: what is waiting for the signed-in person."""

from __future__ import annotations

from aiohttp import web

from bot.services.console.auth import Role
from bot.services.console.overview import overview
from console.context import context, identity, uow
from console.pages import ConsolePages
from console.render import render

pages = ConsolePages()


@pages.get("/", nav="首页", order=0)
async def home(request: web.Request) -> web.Response:
    counts = await overview(
        uow(request),
        with_dead_letters=identity(request).can(Role.ADMIN),
        outage_after=context(request).outage_after,
    )
    return render(request, "home.html", title="首页", overview=counts)
