"""Sign in and sign out."""

from __future__ import annotations

from aiohttp import web

from bot.services.console.auth import ConsoleAuthService, Role
from console import texts
from console.context import PREFIX, context, identity, maybe_identity, uow
from console.pages import ConsolePages
from console.refusals import login_words
from console.render import redirect, render
from console.security import clear_session_cookie, set_session_cookie

pages = ConsolePages()


def safe_next(raw: str | None) -> str:
    """Only back into the console: never an open redirect to another site."""
    if (
        raw
        and (raw == PREFIX or raw.startswith(f"{PREFIX}/"))
        and "//" not in raw
        and "\\" not in raw
        and not raw.startswith(f"{PREFIX}/login")
    ):
        return raw
    return f"{PREFIX}/"


@pages.get("/login", public=True)
async def login_page(request: web.Request) -> web.StreamResponse:
    target = safe_next(request.query.get("next"))
    if maybe_identity(request) is not None:
        raise redirect(target)
    return render(request, "login.html", title="登录", next=target, error=None, username="")


@pages.post("/login", public=True)
async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")[:256]
    target = safe_next(str(form.get("next") or ""))
    service = ConsoleAuthService(uow(request), context(request).policy)
    result = await service.login(
        username, password, user_agent=request.headers.get("User-Agent", "")
    )
    if result.token is None:
        return render(
            request,
            "login.html",
            status=401,
            title="登录",
            next=target,
            error=login_words(result.error, result.locked_until) if result.error else None,
            username=username,
        )
    response = redirect(target)
    set_session_cookie(response, result.token, request)
    raise response


@pages.post("/logout", role=Role.VIEWER)
async def logout(request: web.Request) -> web.StreamResponse:
    await ConsoleAuthService(uow(request)).logout(identity(request))
    response = redirect(f"{PREFIX}/login", texts.LOGGED_OUT)
    clear_session_cookie(response)
    raise response
