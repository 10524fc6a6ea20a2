"""分派质量: how often the classifier's department survives the admins' review, per week or
month, and which departments it confuses; every table downloads as CSV or XLSX."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from markupsafe import Markup

from bot.services.routing.quality import QualityReport, routing_quality
from bot.services.statistics.filters import QualityFilter, parse_quality_filter
from console import charts
from console import statistics_texts as texts
from console.context import uow
from console.pages import ConsolePages
from console.render import error_page, render
from console.statistics_tables import quality_tables
from console.stats_cache import cache_for
from console.stats_pages import answers_bad_filter, download_table, query_string

pages = ConsolePages()

QUALITY_TABLES = ("period", "confusion", "department")
CONFUSIONS_SHOWN = 30  # the page lists the most frequent; the download has every pair


@pages.get("/quality", nav="分派质量", order=55)
@answers_bad_filter(back="/quality")
async def quality(request: web.Request) -> web.Response:
    flt = parse_quality_filter(request.query)
    computed_at, report = await _report(request, flt)
    return render(
        request,
        "quality.html",
        title="分派质量",
        tab="quality",
        computed_at=computed_at,
        report=report,
        flt=flt,
        query=query_string(flt.query()),
        tables=quality_tables(report),
        definitions=texts.QUALITY_DEFINITIONS,
        charts=_charts(report),
        confusions_shown=CONFUSIONS_SHOWN,
    )


@pages.get(r"/quality/export/{table:[a-z]+}.{fmt:csv|xlsx}")
@answers_bad_filter(back="/quality")
async def export(request: web.Request) -> web.Response:
    if request.match_info["table"] not in QUALITY_TABLES:
        return error_page(request, 404, texts.EXPORT_UNKNOWN)
    flt = parse_quality_filter(request.query)
    _, report = await _report(request, flt)
    span = f"分类时间：{flt.start or '最早'} 至 {flt.end or '最新'}"
    return download_table(request, quality_tables(report), flt.start, flt.end, subtitle=span)


async def _report(request: web.Request, flt: QualityFilter) -> tuple[datetime, QualityReport]:
    # The page and its downloads share one cache key: a download has the figures the page showed.
    return await cache_for(request).get(
        ("quality", flt), lambda: routing_quality(uow(request), flt)
    )


def _charts(report: QualityReport) -> list[Markup]:
    found = []
    if report.periods:
        rows = report.periods
        found.append(
            charts.line_chart(
                [row.period for row in rows],  # 'YYYY-MM' or a week's Monday: short labels
                [charts.Series(texts.ACCURACY, [row.accuracy.value for row in rows])],
                title="分派准确率走势",
                chart_id="chart-accuracy",
            )
        )
    if report.matrix.labels:
        found.append(
            charts.heatmap(
                [texts.label(name) for name in report.matrix.labels],
                report.matrix.counts,
                title="分类器选择与最终承办单位的混淆（不一致的记录数）",
                chart_id="chart-confusion",
            )
        )
    return found
