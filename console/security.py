"""The console's middlewares, outermost first: one unit of work per request, who is signed in
(and may they open this page), and the CSRF check on every POST.

CSRF: a signed-in browser echoes its session's own random token in every form; before sign-in
(the login form) a random cookie is echoed instead (double submit). A POST without the right
token gets a 403 page and changes nothing."""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import quote

from aiohttp import web

from bot.services.console.auth import ConsoleAuthService, Role
from console import texts
from console.context import (
    PREFIX,
    Handler,
    context,
    maybe_identity,
    set_identity,
    set_uow,
    uow,
)
from console.forms import posted
from console.pages import Access
from console.render import CSRF_KEY, error_page, redirect

log = logging.getLogger(__name__)

SESSION_COOKIE = "console_session"
CSRF_COOKIE = "console_csrf"
MAX_BODY = 16 * 1024 * 1024  # a registry spreadsheet of some thousand deputies fits easily
ACCESS = web.AppKey("console_access", dict[Handler, Access])
_ADMIN_ONLY = Access(Role.ADMIN)  # a route nobody declared: fail closed
_NO_ROUTE = Access(Role.VIEWER)  # no such page (or method): signed-in people get the 404/405
# aiohttp's own refusals (plain English text) shown as the console's Chinese error page.
_REFUSALS = {
    400: texts.BAD_FORM,
    404: texts.NOT_FOUND,
    405: texts.METHOD_NOT_ALLOWED,
    413: texts.TOO_LARGE.format(limit=MAX_BODY // (1024 * 1024)),
}


@web.middleware
async def unit_of_work(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method == "POST":
        request = request.clone(client_max_size=MAX_BODY)
    async with context(request).uow_factory() as unit:
        set_uow(request, unit)
        try:
            return await handler(request)
        except web.HTTPException as refusal:
            if refusal.status in _REFUSALS:
                return error_page(request, refusal.status, _REFUSALS[refusal.status])
            raise
        except Exception:
            log.exception("console %s %s failed", request.method, request.path)
            return error_page(request, 500, texts.INTERNAL_ERROR)


def _access(request: web.Request) -> Access:
    if request.path.startswith(f"{PREFIX}/static/"):
        return Access(Role.VIEWER, public=True)
    if request.match_info.http_exception is not None:
        return _NO_ROUTE
    return request.config_dict[ACCESS].get(request.match_info.handler, _ADMIN_ONLY)


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    access = _access(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token and not request.path.startswith(f"{PREFIX}/static/"):
        who = await ConsoleAuthService(uow(request), context(request).policy).resolve(token)
        if who is not None:
            set_identity(request, who)
    if access.public:
        return await handler(request)
    who = maybe_identity(request)
    if who is None:
        if request.method == "GET":
            raise redirect(f"{PREFIX}/login?next={quote(request.path_qs, safe='')}")
        raise redirect(f"{PREFIX}/login")
    if not who.can(access.role):
        return error_page(request, 403, texts.FORBIDDEN)
    return await handler(request)


@web.middleware
async def csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    who = maybe_identity(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = None if who is not None or cookie else secrets.token_urlsafe(32)
    expected = who.csrf_token if who is not None else cookie or fresh or ""
    request[CSRF_KEY] = expected
    if request.method == "POST":
        form = await posted(request)  # views read the same form again (aiohttp keeps it)
        sent = form.get("csrf_token")
        if fresh or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
            return error_page(request, 403, texts.CSRF_FAILED)
    response = await handler(request)
    if fresh is not None:
        response.set_cookie(
            CSRF_COOKIE,
            fresh,
            path=PREFIX,
            httponly=True,
            samesite="Lax",
            secure=context(request).cookie_secure,
            max_age=86400,
        )
    return response


def set_session_cookie(response: web.StreamResponse, token: str, request: web.Request) -> None:
    ctx = context(request)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path=PREFIX,
        httponly=True,
        samesite="Lax",
        secure=ctx.cookie_secure,
        max_age=int(ctx.policy.session_lifetime.total_seconds()),
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path=PREFIX)
