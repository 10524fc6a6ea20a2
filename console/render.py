"""HTML out: jinja2 templates (autoescaped: report texts come from the public), the base
layout's shared context, flash messages and the Chinese error page."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlencode

import jinja2
from aiohttp import web

from bot.core.clock import CHINA_TIME
from console.context import PREFIX, maybe_identity
from console.pages import NavItem
from console.statistics_texts import label, percent

FLASH_COOKIE = "console_flash"
NAV = web.AppKey("console_nav", list[NavItem])
CSRF_KEY = "console.csrf"  # the token forms echo on this request (session's, or pre-login)

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("console", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,  # a typo in a template fails the test, not silently
)


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(CHINA_TIME).strftime(fmt) if value else ""


_env.filters["local"] = local_time
_env.filters["percent"] = percent
_env.filters["label"] = label


def url_with(request: web.Request, **changes: object) -> str:
    """This page's URL with some query parameters replaced (None removes one): paging links."""
    query = {key: value for key, value in request.query.items()}
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = urlencode(query)
    return f"{request.path}?{encoded}" if encoded else request.path


def render(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    who = maybe_identity(request)
    nav = [item for item in request.config_dict[NAV] if who is not None and who.can(item.role)]
    flash = request.cookies.get(FLASH_COOKIE)
    html = _env.get_template(template).render(
        request=request,
        prefix=PREFIX,
        user=who,
        nav=nav,
        csrf_token=request.get(CSRF_KEY, ""),
        flash=unquote(flash) if flash else None,
        url_with=lambda **changes: url_with(request, **changes),
        **context,
    )
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    if flash:
        response.del_cookie(FLASH_COOKIE, path=PREFIX)
    return response


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    titles = {
        400: "请求有误",
        403: "无权访问",
        404: "页面不存在",
        405: "请求方式有误",
        409: "操作冲突",
        413: "文件过大",
    }
    return render(
        request,
        "error.html",
        status=status,
        title=titles.get(status, "出错了"),
        message=message,
    )


def redirect(location: str, flash: str | None = None) -> web.HTTPSeeOther:
    """POST-redirect-GET; the flash shows once on the next page."""
    response = web.HTTPSeeOther(location)
    if flash:
        response.set_cookie(FLASH_COOKIE, quote(flash), path=PREFIX, httponly=True, samesite="Lax")
    return response
