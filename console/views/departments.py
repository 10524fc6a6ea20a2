"""The department directory (承办单位): everyone reads it; admins edit names, aliases, keywords
and duties (each edit a new version, audited) or add a unit."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web

from bot.services.console.auth import Role
from bot.services.routing.departments import (
    DepartmentConflict,
    DepartmentError,
    DepartmentFields,
    DepartmentService,
)
from console import texts
from console.context import PREFIX, context, identity, uow
from console.forms import FormError, integer, lines, text
from console.pages import ConsolePages
from console.refusals import words
from console.render import error_page, redirect, render

log = logging.getLogger(__name__)
pages = ConsolePages()


def _fields(form: Mapping[str, object]) -> DepartmentFields:
    # Over-long input is cut one past each limit, so the service names the field that is too long.
    return DepartmentFields(
        name=text(form, "name", limit=129),
        aliases=lines(form, "aliases", limit=40000),
        keywords=lines(form, "keywords", limit=40000),
        duty=text(form, "duty", limit=4001),
        category=text(form, "category", limit=33),
        active=form.get("active") == "on",
    )


@pages.get("/departments", nav="承办单位", order=30)
async def departments(request: web.Request) -> web.Response:
    return render(
        request,
        "departments.html",
        title="承办单位",
        departments=await DepartmentService(uow(request)).directory(),
        can_edit=identity(request).can(Role.ADMIN),
    )


@pages.get("/departments/new", role=Role.ADMIN)
async def new_department(request: web.Request) -> web.Response:
    return _form(request, None, DepartmentFields(name=""), code="")


@pages.post("/departments/new", role=Role.ADMIN)
async def create_department(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    wanted, code = _fields(form), text(form, "code", limit=33)
    try:
        created = await DepartmentService(uow(request)).create(
            code, wanted, actor=identity(request).actor
        )
    except DepartmentError as error:
        return _form(request, None, wanted, code=code, error=words(error), status=400)
    raise redirect(
        f"{PREFIX}/departments/{created.id}",
        await _refresh_router(request, texts.DEPARTMENT_CREATED.format(name=created.fields.name)),
    )


@pages.get(r"/departments/{id:\d{1,18}}")
async def department(request: web.Request) -> web.Response:
    found = await DepartmentService(uow(request)).get(int(request.match_info["id"]))
    if found is None:
        return error_page(request, 404, texts.NOT_FOUND)
    return _form(request, found.id, found.fields, code=found.code, version=found.version)


@pages.post(r"/departments/{id:\d{1,18}}", role=Role.ADMIN)
async def update_department(request: web.Request) -> web.StreamResponse:
    department_id = int(request.match_info["id"])
    service = DepartmentService(uow(request))
    found = await service.get(department_id)
    if found is None:
        return error_page(request, 404, texts.NOT_FOUND)
    form = await request.post()
    wanted = _fields(form)
    try:
        version = await service.update(
            department_id,
            wanted,
            actor=identity(request).actor,
            edited_version=integer(form, "version"),
        )
    except FormError as error:
        return error_page(request, 400, str(error))
    except DepartmentConflict as error:  # show the newer version the others saved
        latest = await service.get(department_id)
        assert latest is not None
        return _form(
            request,
            department_id,
            latest.fields,
            code=latest.code,
            version=latest.version,
            error=words(error),
            status=409,
        )
    except DepartmentError as error:
        return _form(
            request,
            department_id,
            wanted,
            code=found.code,
            version=found.version,
            error=words(error),
            status=400,
        )
    raise redirect(
        f"{PREFIX}/departments/{department_id}",
        await _refresh_router(
            request, texts.DEPARTMENT_SAVED.format(name=wanted.name, version=version)
        ),
    )


@pages.get(r"/departments/{id:\d{1,18}}/versions")
async def versions(request: web.Request) -> web.Response:
    service = DepartmentService(uow(request))
    found = await service.get(int(request.match_info["id"]))
    if found is None:
        return error_page(request, 404, texts.NOT_FOUND)
    return render(
        request,
        "department_versions.html",
        title=f"{found.fields.name} 的版本",
        department=found,
        versions=await service.versions(found.id),
    )


async def _refresh_router(request: web.Request, done: str) -> str:
    """Rebuilds the running router over the saved directory; returns the flash to show."""
    router_directory = context(request).router_directory
    if router_directory is None:
        return done
    try:
        await router_directory.refresh()
    except Exception:  # the edit is saved; routing keeps the previous directory meanwhile
        log.exception("router not refreshed after a department edit")
        return texts.ROUTER_NOT_REFRESHED.format(done=done)
    return done


def _form(
    request: web.Request,
    department_id: int | None,
    fields: DepartmentFields,
    *,
    code: str,
    version: int | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    return render(
        request,
        "department.html",
        status=status,
        title=fields.name or "新增承办单位",
        department_id=department_id,
        code=code,
        fields=fields,
        version=version,
        error=error,
        can_edit=identity(request).can(Role.ADMIN),
    )
