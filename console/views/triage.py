"""The triage queue (待人工分派): reports the classifier was unsure of or the hotline returned;
an operator picks the department, the report goes out and the deputy is told."""

from __future__ import annotations

from aiohttp import web

from bot.services.console.auth import Role
from bot.services.console.common import options
from bot.services.routing.triage import MAX_NOTE, TriageError, TriageService
from console import texts
from console.context import PREFIX, context, identity, uow
from console.forms import FormError, page_number, required, text
from console.pages import ConsolePages
from console.refusals import words
from console.render import error_page, redirect, render

pages = ConsolePages()


@pages.get("/triage", nav="待人工分派", order=20)
async def triage_queue(request: web.Request) -> web.Response:
    try:
        number = page_number(request.query)
    except FormError as error:
        return error_page(request, 400, str(error))
    departments, _ = await options(uow(request))
    return render(
        request,
        "triage.html",
        title="待人工分派",
        page=await TriageService(uow(request)).queue(number),
        departments=departments,
        can_assign=identity(request).can(Role.OPERATOR),
        max_note=MAX_NOTE,
    )


@pages.post(r"/triage/{report_id:\d{1,18}}/assign")
async def assign(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    ctx = context(request)
    try:
        department = required(form, "department", "承办单位", limit=32)
        done = await TriageService(uow(request), ctx.notifier).assign(
            int(request.match_info["report_id"]),
            department,
            actor=identity(request).actor,
            note=text(form, "note", limit=MAX_NOTE + 1),  # one over: the service says too long
        )
    except FormError as error:
        return error_page(request, 400, str(error))
    except TriageError as error:
        return error_page(request, 409, words(error))
    ctx.wake_outbox()  # the create (or the reroute) goes out now
    flash = texts.ASSIGNED if done.told else texts.ASSIGNED_NOT_TOLD
    raise redirect(
        f"{PREFIX}/triage", flash.format(number=done.number, department=done.department)
    )
