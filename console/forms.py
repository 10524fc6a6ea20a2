"""Reading query strings and forms: a bad value becomes a Chinese message, never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from aiohttp import web
from multidict import MultiDictProxy

from console import texts

FIRST_YEAR, LAST_YEAR = 2000, 2100  # dates outside are typos (and overflow time zones)


class FormError(ValueError):
    """Bad input, with the message to show the person."""


def text(form: Mapping[str, object], name: str, *, limit: int = 2000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def required(form: Mapping[str, object], name: str, label: str, *, limit: int = 2000) -> str:
    value = text(form, name, limit=limit)
    if not value:
        raise FormError(texts.MISSING_FIELD.format(field=label))
    return value


def integer(form: Mapping[str, object], name: str, *, default: int | None = None) -> int | None:
    raw = text(form, name, limit=20)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise FormError(texts.BAD_NUMBER.format(field=name)) from None


def page_number(form: Mapping[str, object]) -> int:
    """1-based page from ?page=, clamped to at least 1."""
    return max(integer(form, "page", default=1) or 1, 1)


def day(form: Mapping[str, object], name: str) -> date | None:
    raw = text(form, name, limit=20)
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise FormError(texts.BAD_DATE.format(value=raw)) from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise FormError(texts.BAD_DATE.format(value=raw))
    return value


async def posted(request: web.Request) -> MultiDictProxy[str | bytes | web.FileField]:
    """The request's form; a body that cannot be read as one (not UTF-8, an unknown charset,
    broken multipart) is a 400, never a 500."""
    try:
        return await request.post()
    except (ValueError, LookupError, AssertionError):
        raise web.HTTPBadRequest() from None


def lines(form: Mapping[str, object], name: str, *, limit: int = 4000) -> list[str]:
    """A textarea of one item per line (or separated by commas/顿号): aliases, keywords."""
    raw = text(form, name, limit=limit)
    for separator in (",", "，", "、", "\r"):
        raw = raw.replace(separator, "\n")
    seen: dict[str, None] = {}
    for item in raw.split("\n"):
        if item.strip():
            seen.setdefault(item.strip(), None)
    return list(seen)
