"""The classification log (分类记录): filters and paging, one decision with its evidence, and
the operator's 确认 / 更正."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.services.console.auth import Role
from bot.services.reporting.photos import stored_photo
from bot.services.routing.decision_log import BANDS, REVIEW_STATUSES, DecisionLog, DecisionQuery
from bot.services.routing.review import CorrectionEffect, ReviewError, ReviewService
from console import texts
from console.context import PREFIX, context, identity, uow
from console.forms import FormError, day, page_number, required, text
from console.pages import ConsolePages
from console.refusals import words
from console.render import error_page, redirect, render
from storage.models import ReportStatus

pages = ConsolePages()
MAX_NOTE = 500


def _query(params: Mapping[str, str]) -> DecisionQuery:
    band = text(params, "band", limit=16)
    review = text(params, "review", limit=16)
    return DecisionQuery(
        department=text(params, "department", limit=32) or None,
        district=text(params, "district", limit=32) or None,
        band=band if band in BANDS else None,
        date_from=day(params, "from"),
        date_to=day(params, "to"),
        review=review if review in REVIEW_STATUSES else None,
        status=text(params, "status", limit=16) or None,
    )


def _seen(form: Mapping[str, object]) -> str | None:
    """The review state the person's page showed (None from a form without it)."""
    value = form.get("seen")
    return value[:100] if isinstance(value, str) else None


@pages.get("/decisions", nav="分类记录", order=10)
async def decision_log(request: web.Request) -> web.Response:
    try:
        query = _query(request.query)
        number = page_number(request.query)
    except FormError as error:
        return error_page(request, 400, str(error))
    service = DecisionLog(uow(request))
    departments, districts = await service.options()
    return render(
        request,
        "decisions.html",
        title="分类记录",
        page=await service.log(query, number),
        query=query,
        departments=departments,
        districts=districts,
        statuses=[status.value for status in ReportStatus],
    )


@pages.get(r"/reports/{report:\d{1,18}}/photos/{position:\d{1,2}}")
async def report_photo(request: web.Request) -> web.StreamResponse:
    """A report's stored photo (metadata already stripped), for the case page."""
    path = await stored_photo(
        uow(request), int(request.match_info["report"]), int(request.match_info["position"])
    )
    if path is None:
        return error_page(request, 404, texts.PHOTO_NOT_FOUND)
    headers = {"Content-Type": "image/jpeg", "Cache-Control": "private, max-age=3600"}
    return web.FileResponse(path, headers=headers)


@pages.get(r"/decisions/{id:\d{1,18}}")
async def decision_detail(request: web.Request) -> web.Response:
    service = DecisionLog(uow(request))
    detail = await service.detail(int(request.match_info["id"]))
    if detail is None:
        return error_page(request, 404, texts.NOT_FOUND)
    departments, _ = await service.options()
    return render(
        request,
        "decision.html",
        title=f"分类记录 {detail.row.number}",
        detail=detail,
        departments=departments,
        can_review=identity(request).can(Role.OPERATOR),
    )


@pages.post(r"/decisions/{id:\d{1,18}}/confirm")
async def confirm(request: web.Request) -> web.StreamResponse:
    decision_id = int(request.match_info["id"])
    try:
        number = await ReviewService(uow(request)).confirm(
            decision_id, actor=identity(request).actor, seen=_seen(await request.post())
        )
    except ReviewError as error:
        return error_page(request, 409, words(error))
    raise redirect(f"{PREFIX}/decisions/{decision_id}", texts.CONFIRMED.format(number=number))


@pages.post(r"/decisions/{id:\d{1,18}}/correct")
async def correct(request: web.Request) -> web.StreamResponse:
    decision_id = int(request.match_info["id"])
    form = await request.post()
    try:
        department = required(form, "department", "承办单位", limit=32)
        correction = await ReviewService(uow(request)).correct(
            decision_id,
            department,
            actor=identity(request).actor,
            note=text(form, "note", limit=MAX_NOTE),
            seen=_seen(form),
        )
    except FormError as error:
        return error_page(request, 400, str(error))
    except ReviewError as error:
        return error_page(request, 409, words(error))
    flash = {
        CorrectionEffect.PENDING_CREATE: texts.CORRECTED,
        CorrectionEffect.REROUTE: texts.CORRECTED_REROUTE,
        CorrectionEffect.RECORD_ONLY: texts.CORRECTED_RECORD_ONLY,
    }[correction.effect]
    if correction.effect is not CorrectionEffect.RECORD_ONLY:
        context(request).wake_outbox()  # the create (or the reroute) goes out now
    raise redirect(
        f"{PREFIX}/decisions/{decision_id}",
        flash.format(number=correction.number, department=correction.department),
    )
