"""How operator-console pages are drawn: the Jinja environment (autoescaped), the page
renderer that fills in the signed-in operator and the CSRF token, and POST-redirect-GET with
a one-time notice (a flash cookie)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jinja2
from aiohttp import web

from intake.timeutil import to_local_text

PREFIX = "/console"
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


def render_html(request: web.Request, template: str, **context: Any) -> str:
    return _env.get_template(template).render(
        csrf_token=request.get("csrf", ""), operator=request.get("operator"), **context
    )


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    html = render_html(request, template, **context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def forbidden(request: web.Request, message: str) -> web.HTTPForbidden:
    """A 403 page to raise from deep in a handler."""
    html = render_html(request, "error.html", title="无权操作", message=message)
    return web.HTTPForbidden(text=html, content_type="text/html")


def redirect(location: str, flash: str | None = None) -> web.HTTPSeeOther:
    response = web.HTTPSeeOther(location)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, quote(flash), path=PREFIX, httponly=True, samesite="Strict"
        )
    return response


def flash(request: web.Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE)
    return unquote(raw) if raw else None


def pop_flash(request: web.Request, response: web.Response) -> None:
    if FLASH_COOKIE in request.cookies:
        response.del_cookie(FLASH_COOKIE, path=PREFIX)
