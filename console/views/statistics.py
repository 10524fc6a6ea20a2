"""统计分析: the 三率 per department, district and month with the overdue tickets, and the
deputies' 履职 by level, 选区 and 联络站; every table downloads as CSV or XLSX."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from markupsafe import Markup

from bot.services.statistics.deputies import DeputyReport
from bot.services.statistics.filters import StatsFilter, parse_filter
from bot.services.statistics.three_rates import (
    FilterOptions,
    RateRow,
    RatesReport,
    StatisticsService,
)
from bot.services.supervision.stats import supervision_report
from console import charts
from console import statistics_texts as texts
from console.context import uow
from console.pages import ConsolePages
from console.render import error_page, render
from console.statistics_tables import deputy_tables, overdue_table, rate_tables
from console.stats_cache import cache_for, rollup_for
from console.stats_pages import answers_bad_filter, download_table, query_string

pages = ConsolePages()

RATE_TABLES = ("department", "district", "month", "overdue")
DEPUTY_TABLES = ("level", "constituency", "station", "deputy")
DEPUTY_ROWS_SHOWN = 100  # the page lists the most active; the download has everyone
EXPORT_OVERDUE_LIMIT = 100_000


@pages.get("/statistics", nav="统计分析", order=50)
@answers_bad_filter(back="/statistics")
async def rates(request: web.Request) -> web.Response:
    service, flt, options = await _filtered(request)
    computed_at, report = await _rates(request, service, flt, options)
    return render(
        request,
        "statistics.html",
        title="三率统计",
        tab="rates",
        computed_at=computed_at,
        report=report,
        flt=flt,
        options=options,
        query=query_string(flt.query()),
        tables=rate_tables(report),
        definitions=texts.DEFINITIONS,
        charts=_rate_charts(report),
        supervision=await supervision_report(uow(request), flt),
    )


@pages.get("/statistics/deputies")
@answers_bad_filter(back="/statistics/deputies")
async def deputies(request: web.Request) -> web.Response:
    service, flt, options = await _filtered(request)
    computed_at, report = await _deputies(request, service, flt, options)
    return render(
        request,
        "statistics_deputies.html",
        title="代表履职统计",
        tab="deputies",
        computed_at=computed_at,
        report=report,
        flt=flt,
        options=options,
        query=query_string(flt.query()),
        tables=deputy_tables(report),
        definitions=texts.DEPUTY_DEFINITIONS,
        charts=_deputy_charts(report),
        rows_shown=DEPUTY_ROWS_SHOWN,
        supervision=await supervision_report(uow(request), flt),
    )


@pages.get(r"/statistics/export/{table:[a-z]+}.{fmt:csv|xlsx}")
@answers_bad_filter(back="/statistics")
async def export(request: web.Request) -> web.Response:
    key = request.match_info["table"]
    if key not in RATE_TABLES + DEPUTY_TABLES:
        return error_page(request, 404, texts.EXPORT_UNKNOWN)
    service, flt, options = await _filtered(request)
    if key == "overdue":  # in full, not only the first ones the page lists
        _, items = await cache_for(request).get(
            ("overdue", flt),
            lambda: service.overdue(flt, options=options, limit=EXPORT_OVERDUE_LIMIT),
        )
        tables = [overdue_table(items)]
    elif key in RATE_TABLES:  # the page's own figures (often cached)
        _, report = await _rates(request, service, flt, options)
        tables = rate_tables(report)
    else:
        _, people = await _deputies(request, service, flt, options)
        tables = deputy_tables(people)
    return download_table(request, tables, flt.start, flt.end, subtitle=describe(flt, options))


async def _filtered(request: web.Request) -> tuple[StatisticsService, StatsFilter, FilterOptions]:
    """The service, the query's filter and the form's choices; FilterError on a malformed
    filter or on a code the directory does not know."""
    service = StatisticsService(uow(request), rollup_for(request))
    flt = parse_filter(request.query)
    return service, flt, await service.options(flt)


# The page and its downloads share one cache key, so a download has the figures the page showed.
async def _rates(
    request: web.Request,
    service: StatisticsService,
    flt: StatsFilter,
    options: FilterOptions,
) -> tuple[datetime, RatesReport]:
    return await cache_for(request).get(
        ("rates", flt), lambda: service.rates(flt, options=options)
    )


async def _deputies(
    request: web.Request, service: StatisticsService, flt: StatsFilter, options: FilterOptions
) -> tuple[datetime, DeputyReport]:
    return await cache_for(request).get(
        ("deputies", flt), lambda: service.deputies(flt, options=options)
    )


def describe(flt: StatsFilter, options: FilterOptions) -> str:
    """The filter in words, for the download's 口径说明 sheet."""
    period = f"{flt.start or '最早'} 至 {flt.end or '最新'}"
    department = options.department_names().get(options.department_id or 0, "全部")
    district = options.district_names().get(options.district_id or 0, "全部")
    return f"时间：{period}；承办单位：{department}；区县：{district}"


def _three_rates(rows: list[RateRow]) -> list[charts.Series]:
    return [
        charts.Series(texts.RESPONSE_RATE, [row.response.value for row in rows]),
        charts.Series(texts.RESOLUTION_RATE, [row.resolution.value for row in rows]),
        charts.Series(texts.SATISFACTION_RATE, [row.satisfaction.value for row in rows]),
    ]


def _rate_charts(report: RatesReport) -> list[Markup]:
    found = []
    if report.by_month:
        found.append(
            charts.line_chart(
                [texts.label(row.label) for row in report.by_month],
                _three_rates(report.by_month),
                title="三率月度走势",
                chart_id="chart-months",
            )
        )
    if report.by_district:
        found.append(
            charts.hbar_chart(
                [texts.label(row.label) for row in report.by_district],
                _three_rates(report.by_district),
                title="各区县三率",
                chart_id="chart-districts",
            )
        )
    return found


def _deputy_charts(report: DeputyReport) -> list[Markup]:
    if not report.by_level:
        return []
    rows = report.by_level
    return [
        charts.hbar_chart(
            [texts.label(row.label) for row in rows],
            [
                charts.Series("答复率", [row.answered_rate.value for row in rows]),
                charts.Series(texts.SATISFACTION_RATE, [row.satisfaction.value for row in rows]),
            ],
            title="各层级代表的答复率与满意率",
            chart_id="chart-levels",
        )
    ]
