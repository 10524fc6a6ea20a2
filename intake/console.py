"""Operator web console (/console), in Simplified Chinese: queue, ticket page, action forms.

Only signed-in operators see it (intake/console_auth.py: accounts, sessions, CSRF, roles); a
ticket page offers just the actions the operator's role allows, and the server checks the
role again on every POST. Each POST answers with POST-redirect-GET; a refused action
re-renders the page with a Chinese message and a 4xx status instead of failing with a 500.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from intake import console_auth, workflow
from intake.console_auth import require
from intake.console_render import HERE, PREFIX, flash, pop_flash, redirect, render
from intake.context import CTX, media_url
from intake.photos import resolve_path
from intake.store import NotFound
from intake.timeutil import parse_local_date_end, utcnow
from intake.workflow import InputError

FORM_ID_MAX = 64

SUCCESS = {
    "accept": "已受理该工单。",
    "dispatch": "已派单。",
    "reroute": "已改派。",
    "return": "已退单。",
    "progress": "已记录办理进展。",
    "answer": "已答复。",
    "close": "已办结。",
    "extend": "已记录延期申请，等待管理员审核。",
    "extend_approve": "已批准延期，办理期限已更新。",
    "extend_reject": "已驳回延期申请。",
}


async def to_queue(_request: web.Request) -> web.StreamResponse:
    raise redirect(f"{PREFIX}/")


async def queue(request: web.Request) -> web.Response:
    require(request)
    ctx = request.app[CTX]
    department = request.query.get("department") or None
    status = request.query.get("status") or None
    if status == "open":
        statuses = [s for s in workflow.ALL_STATUSES if s not in workflow.CLOSED_STATUSES]
    else:
        statuses = [status] if status in workflow.ALL_STATUSES else []
    rows = await ctx.store.list(department=department, statuses=statuses, limit=500)
    now = utcnow()
    response = render(
        request,
        "queue.html",
        title="工单队列",
        tickets=rows,
        departments=list(ctx.directory),
        directory=ctx.directory,
        counts=await ctx.store.counts(),
        department=department,
        status_filter=status,
        statuses=workflow.ALL_STATUSES,
        new_statuses=(workflow.SUBMITTED, workflow.REROUTED),
        is_overdue=lambda t: _overdue(t, now),
        supervised=await ctx.store.supervised([t["id"] for t in rows]),
        flash=flash(request),
    )
    pop_flash(request, response)
    return response


def _overdue(ticket: Any, now: Any) -> bool:
    expected = ticket["expected_at"]
    return bool(expected and expected < now and ticket["status"] not in workflow.DEADLINE_STOPPED)


async def _ticket_page(
    request: web.Request, ticket_no: str, *, status: int = 200, error: str | None = None
) -> web.Response:
    operator = require(request)
    ctx = request.app[CTX]
    ticket = await ctx.store.get(ticket_no)
    if ticket is None:
        return render(request, "error.html", status=404, message=f"工单 {ticket_no} 不存在。")
    media = list(ticket["media"] or [])
    base = f"{request.scheme}://{request.host}"
    events = await ctx.store.events_for(ticket["id"])
    extension = workflow.pending_extension(events)  # a 延期申请 waiting for the centre
    asked_by = str((extension or {}).get("operator") or "")
    own_request = bool(asked_by) and asked_by.casefold() == operator.username.casefold()
    response = render(
        request,
        "ticket.html",
        status=status,
        title=f"工单 {ticket_no}",
        ticket=ticket,
        events=events,
        extension=extension,
        photos=[(m, media_url(base, ticket_no, m, n)) for n, m in enumerate(media, start=1)],
        directory=ctx.directory,
        departments=list(ctx.directory),
        labels={code: a.label for code, a in workflow.ACTIONS.items()},
        allowed=[
            code
            for code in workflow.allowed_actions(
                ticket["status"], extension_pending=extension is not None
            )
            if operator.can(code) and not (code in workflow.EXTENSION_DECISIONS and own_request)
        ],
        own_request=own_request,
        overdue=_overdue(ticket, utcnow()),
        error=error,
        flash=None if error else flash(request),
    )
    pop_flash(request, response)
    return response


async def ticket_page(request: web.Request) -> web.Response:
    return await _ticket_page(request, request.match_info["ticket_id"])


async def ticket_action(request: web.Request) -> web.StreamResponse:
    ticket_no = request.match_info["ticket_id"]
    action = request.match_info["action"]
    if action not in workflow.CONSOLE_ACTIONS:
        require(request)
        return render(request, "error.html", status=404, message="未知的操作。")
    operator = require(request, action)
    form = await request.post()

    def field(name: str) -> str | None:
        value = form.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    try:
        expected = parse_local_date_end(field("new_date") or "") if field("new_date") else None
    except ValueError:
        return await _ticket_page(request, ticket_no, status=422, error="日期格式不正确。")
    form_id = field("form_id")
    key = f"console:{form_id}" if form_id and len(form_id) <= FORM_ID_MAX else None
    try:
        await request.app[CTX].store.act(
            ticket_no,
            action,
            operator=operator.username,
            note=field("reason") or field("note"),
            answer=field("answer"),
            department_code=field("department_code"),
            expected_at=expected,
            idempotency_key=key,
        )
    except NotFound:
        return render(request, "error.html", status=404, message=f"工单 {ticket_no} 不存在。")
    except workflow.TransitionError as error:
        return await _ticket_page(request, ticket_no, status=409, error=str(error))
    except InputError as error:
        return await _ticket_page(request, ticket_no, status=422, error=str(error))
    raise redirect(f"{PREFIX}/tickets/{ticket_no}", SUCCESS[action])


async def media(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CTX]
    ticket = await ctx.store.get(request.match_info["ticket_id"])
    try:
        number = int(request.match_info["number"])
        if number < 1:
            raise IndexError(number)  # 0 or -1 would index from the end
        entry = (ticket["media"] or [])[number - 1] if ticket else None
    except (ValueError, IndexError):
        entry = None
    if not entry or not entry.get("path"):
        raise web.HTTPNotFound(text="图片不存在")
    path = resolve_path(ctx.media_dir, entry["path"])
    if path is None:
        raise web.HTTPNotFound(text="图片不存在")
    return web.FileResponse(path, headers={"Content-Type": entry["content_type"]})


async def favicon(_request: web.Request) -> web.FileResponse:
    headers = {"Content-Type": "image/x-icon", "Cache-Control": "max-age=86400"}
    return web.FileResponse(HERE / "static" / "favicon.ico", headers=headers)


def setup(app: web.Application) -> None:
    app.router.add_get("/favicon.ico", favicon)  # browsers ask the site root for it
    app.router.add_get(PREFIX, to_queue)
    app.router.add_get(f"{PREFIX}/", queue)
    console_auth.setup(app)
    app.router.add_get(f"{PREFIX}/tickets/{{ticket_id}}", ticket_page)
    app.router.add_post(f"{PREFIX}/tickets/{{ticket_id}}/{{action}}", ticket_action)
    app.router.add_get(f"{PREFIX}/media/{{ticket_id}}/{{number}}", media)
    app.router.add_static(f"{PREFIX}/static", HERE / "static")
