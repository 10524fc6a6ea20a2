"""Operator web console (/console), in Simplified Chinese: queue, ticket page, action forms.

Every POST carries a CSRF token (double-submit: a random per-browser cookie that the form
must echo) and answers with POST-redirect-GET; a refused action re-renders the page with a
Chinese message and a 4xx status instead of failing with a 500.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jinja2
from aiohttp import web

from intake import workflow
from intake.api import Handler
from intake.context import CTX, media_url
from intake.photos import resolve_path
from intake.store import NotFound
from intake.timeutil import parse_local_date_end, to_local_text, utcnow
from intake.workflow import InputError

PREFIX = "/console"
CSRF_COOKIE = "intake_csrf"
OPERATOR_COOKIE = "intake_operator"
FLASH_COOKIE = "intake_flash"
HERE = Path(__file__).parent

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,  # ticket text comes from residents: never trust it as HTML
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["local"] = to_local_text
# A fresh id in every action form: the same form posted twice (a double click, a resend)
# becomes the store's idempotency key, so the second post replays instead of acting again.
_env.globals["new_form_id"] = lambda: secrets.token_urlsafe(16)
FORM_ID_MAX = 64

SUCCESS = {
    "accept": "已受理该工单。",
    "dispatch": "已派单。",
    "reroute": "已改派。",
    "return": "已退单。",
    "progress": "已记录办理进展。",
    "answer": "已答复。",
    "close": "已办结。",
    "extend": "已记录延期申请，等待 12345 中心审核。",
    "extend_approve": "已批准延期，办理期限已更新。",
    "extend_reject": "已驳回延期申请。",
}


def _render(
    request: web.Request, template: str, status: int = 200, **context: Any
) -> web.Response:
    html = _env.get_template(template).render(
        csrf_token=request["csrf"], operator=_operator(request), **context
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def _operator(request: web.Request) -> str | None:
    raw = request.cookies.get(OPERATOR_COOKIE)
    return unquote(raw)[:64] if raw else None


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(PREFIX):
        return await handler(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    request["csrf"] = cookie or secrets.token_urlsafe(32)
    if request.method == "POST":
        try:
            form = await request.post()  # handlers read it again: aiohttp keeps it
        except (ValueError, LookupError, AssertionError):  # not UTF-8, bad charset, multipart
            message = "提交的表单无法读取（编码不是 UTF-8 或内容已损坏），未执行任何操作。"
            return _render(request, "error.html", status=400, message=message)
        sent = form.get("csrf_token")
        if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent, cookie):
            return _render(
                request,
                "error.html",
                status=403,
                message="安全校验失败（CSRF 令牌缺失或无效），请刷新页面后重试。",
            )
    response = await handler(request)
    if not cookie:
        response.set_cookie(
            CSRF_COOKIE, request["csrf"], path=PREFIX, httponly=True, samesite="Strict"
        )
    return response


def _redirect(location: str, flash: str | None = None) -> web.HTTPSeeOther:
    response = web.HTTPSeeOther(location)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, quote(flash), path=PREFIX, httponly=True, samesite="Strict"
        )
    return response


def _pop_flash(request: web.Request, response: web.Response) -> None:
    if FLASH_COOKIE in request.cookies:
        response.del_cookie(FLASH_COOKIE, path=PREFIX)


async def to_queue(_request: web.Request) -> web.StreamResponse:
    raise _redirect(f"{PREFIX}/")


async def login_page(request: web.Request) -> web.Response:
    return _render(request, "login.html", title="操作员登录")


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name = str(form.get("operator_name") or "").strip()[:64]
    if not name:
        return _render(
            request, "login.html", status=422, title="操作员登录", error="请输入操作员姓名。"
        )
    response = _redirect(f"{PREFIX}/")
    response.set_cookie(
        OPERATOR_COOKIE, quote(name), path=PREFIX, samesite="Strict", max_age=30 * 86400
    )
    raise response


async def logout(_request: web.Request) -> web.StreamResponse:
    response = _redirect(f"{PREFIX}/login")
    response.del_cookie(OPERATOR_COOKIE, path=PREFIX)
    raise response


def _require_operator(request: web.Request) -> str:
    name = _operator(request)
    if not name:
        raise _redirect(f"{PREFIX}/login")
    return name


async def queue(request: web.Request) -> web.Response:
    _require_operator(request)
    ctx = request.app[CTX]
    department = request.query.get("department") or None
    status = request.query.get("status") or None
    if status == "open":
        statuses = [s for s in workflow.ALL_STATUSES if s not in workflow.CLOSED_STATUSES]
    else:
        statuses = [status] if status in workflow.ALL_STATUSES else []
    rows = await ctx.store.list(department=department, statuses=statuses, limit=500)
    now = utcnow()
    response = _render(
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
        flash=_flash(request),
    )
    _pop_flash(request, response)
    return response


def _overdue(ticket: Any, now: Any) -> bool:
    expected = ticket["expected_at"]
    return bool(expected and expected < now and ticket["status"] not in workflow.DEADLINE_STOPPED)


def _flash(request: web.Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE)
    return unquote(raw) if raw else None


async def _ticket_page(
    request: web.Request, ticket_no: str, *, status: int = 200, error: str | None = None
) -> web.Response:
    ctx = request.app[CTX]
    ticket = await ctx.store.get(ticket_no)
    if ticket is None:
        return _render(request, "error.html", status=404, message=f"工单 {ticket_no} 不存在。")
    media = list(ticket["media"] or [])
    base = f"{request.scheme}://{request.host}"
    events = await ctx.store.events_for(ticket["id"])
    extension = workflow.pending_extension(events)  # a 延期申请 waiting for the centre
    response = _render(
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
        allowed=workflow.allowed_actions(
            ticket["status"], extension_pending=extension is not None
        ),
        overdue=_overdue(ticket, utcnow()),
        error=error,
        flash=None if error else _flash(request),
    )
    _pop_flash(request, response)
    return response


async def ticket_page(request: web.Request) -> web.Response:
    _require_operator(request)
    return await _ticket_page(request, request.match_info["ticket_id"])


async def ticket_action(request: web.Request) -> web.StreamResponse:
    operator = _require_operator(request)
    ticket_no = request.match_info["ticket_id"]
    action = request.match_info["action"]
    if action not in workflow.CONSOLE_ACTIONS:
        return _render(request, "error.html", status=404, message="未知的操作。")
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
            operator=operator,
            note=field("reason") or field("note"),
            answer=field("answer"),
            department_code=field("department_code"),
            expected_at=expected,
            idempotency_key=key,
        )
    except NotFound:
        return _render(request, "error.html", status=404, message=f"工单 {ticket_no} 不存在。")
    except workflow.TransitionError as error:
        return await _ticket_page(request, ticket_no, status=409, error=str(error))
    except InputError as error:
        return await _ticket_page(request, ticket_no, status=422, error=str(error))
    raise _redirect(f"{PREFIX}/tickets/{ticket_no}", SUCCESS[action])


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
    app.router.add_get(f"{PREFIX}/login", login_page)
    app.router.add_post(f"{PREFIX}/login", login)
    app.router.add_post(f"{PREFIX}/logout", logout)
    app.router.add_get(f"{PREFIX}/tickets/{{ticket_id}}", ticket_page)
    app.router.add_post(f"{PREFIX}/tickets/{{ticket_id}}/{{action}}", ticket_action)
    app.router.add_get(f"{PREFIX}/media/{{ticket_id}}/{{number}}", media)
    app.router.add_static(f"{PREFIX}/static", HERE / "static")
