"""The 督办 desk (人大督): the queue of cases that need the congress's attention, one case with
its whole history, and the desk's actions — 发起督办, 记录联系, 转交, 办结督办; an admin may
also put a report on the desk by hand."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.core.clock import CHINA_TIME
from bot.services.console.auth import Role
from bot.services.supervision.desk import MAX_NOTE, DeskDone, DeskError, SupervisionDesk
from bot.services.supervision.views import NOTE_LABELS, STATE_LABELS, DeskViews
from console.context import PREFIX, context, identity, uow
from console.forms import FormError, required, text
from console.pages import ConsolePages
from console.render import error_page, redirect, render

pages = ConsolePages()
DESK = f"{PREFIX}/supervision"


@pages.get("/supervision", nav="督办", order=25, role=Role.OPERATOR)
async def desk(request: web.Request) -> web.Response:
    closed = request.query.get("closed") == "1"
    return render(
        request,
        "supervision.html",
        title="督办",
        rows=await DeskViews(uow(request)).queue(include_closed=closed),
        closed=closed,
        states=STATE_LABELS,
        can_flag=identity(request).can(Role.ADMIN),
        max_note=MAX_NOTE,
    )


@pages.get(r"/supervision/{case_id:\d{1,18}}", role=Role.OPERATOR)
async def case_page(request: web.Request) -> web.Response:
    view = await DeskViews(uow(request)).case(int(request.match_info["case_id"]))
    if view is None:
        return error_page(request, 404, "督办案件不存在。")
    return render(
        request,
        "supervision_case.html",
        title=f"督办 · {view.row.number}",
        view=view,
        states=STATE_LABELS,
        note_labels=NOTE_LABELS,
        max_note=MAX_NOTE,
    )


@pages.post("/supervision/flag", role=Role.ADMIN)
async def flag(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        number = required(form, "number", "反映编号", limit=32)
        done = await SupervisionDesk(uow(request)).flag(
            number, actor=identity(request).actor, note=text(form, "note", limit=MAX_NOTE + 1)
        )
    except FormError as error:
        return error_page(request, 400, str(error))
    except DeskError as error:
        return error_page(request, 409, str(error))
    raise redirect(f"{DESK}/{done.case_id}", f"已将 {done.number} 列入督办。")


@pages.post(r"/supervision/{case_id:\d{1,18}}/start")
async def start(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        deadline = _deadline(required(form, "deadline", "督办期限", limit=20))
        note = required(form, "note", "督办意见", limit=MAX_NOTE + 1)
        done = await _desk(request).start(_case(request), deadline, note, actor=_actor(request))
    except FormError as error:
        return error_page(request, 400, str(error))
    except DeskError as error:
        return error_page(request, 409, str(error))
    context(request).wake_outbox()  # the notice goes to the hotline now
    raise _back(done, "已发起督办，督办通知已发送至 12345 热线。")


@pages.post(r"/supervision/{case_id:\d{1,18}}/contact")
async def contact(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        note = required(form, "note", "联系记录", limit=MAX_NOTE + 1)
        done = await _desk(request).contact(_case(request), note, actor=_actor(request))
    except FormError as error:
        return error_page(request, 400, str(error))
    except DeskError as error:
        return error_page(request, 409, str(error))
    raise _back(done, "已记录联系情况。")


@pages.post(r"/supervision/{case_id:\d{1,18}}/hand_over")
async def hand_over(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        assignee = required(form, "assignee", "转交对象", limit=64)
        note = text(form, "note", limit=MAX_NOTE + 1)
        done = await _desk(request).hand_over(
            _case(request), assignee, note, actor=_actor(request)
        )
    except FormError as error:
        return error_page(request, 400, str(error))
    except DeskError as error:
        return error_page(request, 409, str(error))
    raise _back(done, f"已转交给 {assignee}。")


@pages.post(r"/supervision/{case_id:\d{1,18}}/close")
async def close(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        outcome = required(form, "outcome", "督办结果", limit=MAX_NOTE + 1)
        done = await _desk(request).close(_case(request), outcome, actor=_actor(request))
    except FormError as error:
        return error_page(request, 400, str(error))
    except DeskError as error:
        return error_page(request, 409, str(error))
    raise _back(done, "督办已办结。")


def _desk(request: web.Request) -> SupervisionDesk:
    return SupervisionDesk(uow(request), context(request).notifier)


def _case(request: web.Request) -> int:
    return int(request.match_info["case_id"])


def _actor(request: web.Request) -> str:
    return identity(request).actor


def _back(done: DeskDone, flash: str) -> web.HTTPSeeOther:
    told = "已通知代表。" if done.told else ""
    return redirect(f"{DESK}/{done.case_id}", flash + told)


def _deadline(raw: str) -> datetime:
    """A `datetime-local` field (2026-12-10T17:30), read as China time."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise FormError("督办期限格式不正确，请按“年-月-日 时:分”填写。") from None
    return value.replace(tzinfo=CHINA_TIME) if value.tzinfo is None else value
