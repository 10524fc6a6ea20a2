"""Dead letters (发送失败的消息): what the outbox gave up on, and the admin's retry."""

from __future__ import annotations

from aiohttp import web

from bot.services.console.auth import Role
from bot.services.tickets.dead_letters import DeadLetterService
from console import texts
from console.context import PREFIX, context, identity, uow
from console.pages import ConsolePages
from console.render import redirect, render

pages = ConsolePages()


@pages.get("/dead-letters", role=Role.ADMIN, nav="发送失败", order=60)
async def dead_letters(request: web.Request) -> web.Response:
    letters = await DeadLetterService(uow(request)).letters()
    return render(request, "dead_letters.html", title="发送失败的消息", letters=letters)


@pages.post(r"/dead-letters/{id:\d{1,18}}/retry", role=Role.ADMIN)
async def retry_one(request: web.Request) -> web.StreamResponse:
    message_id = int(request.match_info["id"])
    count = await DeadLetterService(uow(request)).retry(message_id, actor=identity(request).actor)
    return _requeued(request, texts.RETRIED_ONE.format(id=message_id) if count else None)


@pages.post("/dead-letters/retry-all", role=Role.ADMIN)
async def retry_all(request: web.Request) -> web.StreamResponse:
    count = await DeadLetterService(uow(request)).retry(actor=identity(request).actor)
    return _requeued(request, texts.RETRIED_ALL.format(count=count) if count else None)


def _requeued(request: web.Request, flash: str | None) -> web.StreamResponse:
    if flash is not None:
        context(request).wake_outbox()  # delivered now, not after the worker's sleep
    raise redirect(f"{PREFIX}/dead-letters", flash or texts.RETRIED_NONE)
