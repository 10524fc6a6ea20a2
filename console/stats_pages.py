"""What the statistics and routing-quality pages share: the 400 page for a bad filter, the
filter as export-link query, and a table's download named after its date range."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from urllib.parse import urlencode

from aiohttp import web

from bot.services.statistics.filters import FilterError
from console import exports
from console.context import PREFIX
from console.exports import Table
from console.refusals import words
from console.render import render

Page = Callable[[web.Request], Awaitable[web.Response]]


def answers_bad_filter(back: str) -> Callable[[Page], Page]:
    """A page (or download) whose filter is bad — a malformed date, an unknown code — answers 400
    with the Chinese reason and a link back to the unfiltered page at PREFIX + `back`.

    Only parsing the filter and looking up its codes raise FilterError, so this catches nothing
    from the figures themselves."""

    def decorate(page: Page) -> Page:
        @functools.wraps(page)
        async def guarded(request: web.Request) -> web.Response:
            try:
                return await page(request)
            except FilterError as error:
                return bad_filter(request, words(error), PREFIX + back)

        return guarded

    return decorate


def bad_filter(request: web.Request, message: str, back: str) -> web.Response:
    """400 with the Chinese reason and a way back to the unfiltered page."""
    return render(
        request,
        "statistics_bad_filter.html",
        status=400,
        title="请求有误",
        message=message,
        back=back,
    )


def download_table(
    request: web.Request,
    tables: Sequence[Table],
    start: date | None,
    end: date | None,
    subtitle: str,
) -> web.Response:
    """The table the URL's {table} names (the caller checked it is one of `tables`), in the
    URL's {fmt}, named after the table and the filter's date range."""
    key = request.match_info["table"]
    table = next(table for table in tables if table.key == key)
    name = download_name(table.title, start, end)
    return exports.download(table, request.match_info["fmt"], name, subtitle=subtitle)


def download_name(title: str, start: date | None, end: date | None) -> str:
    """The file name (without extension) of a download: the table and its date range."""
    return f"{title}_{start or ''}至{end or ''}" if start or end else title


def query_string(params: dict[str, str]) -> str:
    return f"?{urlencode(params)}" if params else ""
