"""The deputy registry (代表信息库, admins only: phone numbers are personal data): search,
import/export CSV/XLSX through the CLI's own service, deactivate / reactivate / unbind."""

from __future__ import annotations

from urllib.parse import quote, unquote

from aiohttp import web

from bot.services.console.auth import Role
from bot.services.deputies.admin import DeputyAdminError, DeputyAdminService, DeputyQuery
from console import texts
from console.context import PREFIX, context, identity, uow
from console.exports import XLSX_TYPE
from console.forms import FormError, page_number, text
from console.pages import ConsolePages
from console.refusals import row_words, words
from console.render import error_page, redirect, render

pages = ConsolePages()
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": XLSX_TYPE,
}
ERRORS_SHOWN = 100  # a file wrong on every line lists the first ones, not a page of 10 MB
_YES_NO = {"yes": True, "no": False}
CONFIRMED = frozenset({"deactivate"})  # asked once more before it is done
_ACTIONS = {
    "deactivate": (DeputyAdminService.deactivate, texts.DEPUTY_DEACTIVATED),
    "reactivate": (DeputyAdminService.reactivate, texts.DEPUTY_REACTIVATED),
    "unbind": (DeputyAdminService.unbind, texts.DEPUTY_UNBOUND),
}


@pages.get("/deputies", role=Role.ADMIN, nav="代表信息库", order=40)
async def deputies(request: web.Request) -> web.Response:
    query = DeputyQuery(
        term=text(request.query, "q", limit=64),
        bound=_YES_NO.get(text(request.query, "bound", limit=3)),
        active=_YES_NO.get(text(request.query, "active", limit=3)),
    )
    try:
        number = page_number(request.query)
    except FormError as error:
        return error_page(request, 400, str(error))
    return render(
        request,
        "deputies.html",
        title="代表信息库",
        page=await DeputyAdminService(uow(request)).search(query, number),
        query=query,
        filters={k: text(request.query, k, limit=3) for k in ("bound", "active")},
    )


@pages.get("/deputies/export", role=Role.ADMIN)
async def export(request: web.Request) -> web.StreamResponse:
    fmt = text(request.query, "format", limit=8) or "xlsx"
    try:
        found = await DeputyAdminService(uow(request)).export(fmt, actor=identity(request).actor)
    except DeputyAdminError as error:
        return error_page(request, 400, words(error))
    name = f"{texts.REGISTRY_FILE_NAME}.{found.format}"
    return web.Response(
        body=found.data,
        content_type=CONTENT_TYPES[fmt],
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",  # personal data: never kept by a shared cache
        },
    )


@pages.post("/deputies/import", role=Role.ADMIN)
async def import_registry(request: web.Request) -> web.StreamResponse:
    upload = (await request.post()).get("file")
    if not isinstance(upload, web.FileField) or not upload.filename:
        return error_page(request, 400, texts.REGISTRY_FILE_MISSING)
    filename = unquote(upload.filename)  # some clients send RFC 5987 percent-encoding
    result = await DeputyAdminService(uow(request)).import_upload(
        filename, upload.file.read(), actor=identity(request).actor
    )
    if not result.ok:
        return render(
            request,
            "deputies_import.html",
            status=400,
            title="导入失败",
            filename=filename,
            errors=[row_words(error) for error in result.errors[:ERRORS_SHOWN]],
            total=len(result.errors),
        )
    context(request).registry_changed()
    raise redirect(
        f"{PREFIX}/deputies",
        texts.REGISTRY_IMPORTED.format(
            created=result.created, updated=result.updated, unchanged=result.unchanged
        ),
    )


@pages.post(r"/deputies/{id:\d{1,18}}/{action:(deactivate|reactivate|unbind)}", role=Role.ADMIN)
async def change(request: web.Request) -> web.StreamResponse:
    action = request.match_info["action"]
    method, flash = _ACTIONS[action]
    form = await request.post()
    back = text(form, "back", limit=500)
    # Back to the same search page, never anywhere else.
    target = back if back.startswith(f"{PREFIX}/deputies") and "//" not in back else None
    service = DeputyAdminService(uow(request))
    deputy_id = int(request.match_info["id"])
    try:
        if action in CONFIRMED and text(form, "confirm", limit=3) != "yes":
            # 停用 shuts a deputy out of the bot: say what it does and ask once more.
            return render(
                request,
                "deputy_confirm.html",
                title="确认停用",
                deputy=await service.row(deputy_id),
                action=action,
                back=target or f"{PREFIX}/deputies",
            )
        name = await method(service, deputy_id, actor=identity(request).actor)
    except DeputyAdminError as error:
        return error_page(request, 404, words(error))
    context(request).registry_changed()
    raise redirect(target or f"{PREFIX}/deputies", flash.format(name=name))
