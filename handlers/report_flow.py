"""The guided report flow: text → photos → location → appeal type → explained preview → submit.

The draft lives in the FSM storage (database or Redis), so a restart resumes it. Every button
carries the draft id: a button of an older or finished draft is answered as stale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot import texts
from bot.services.deputies.verification import DeputyView
from bot.services.reporting.drafts import MAX_ADDRESS, MIN_TEXT, Draft, DraftPhoto
from bot.services.reporting.filing import APPEAL_TYPES, Classifier, ReportService
from bot.services.reporting.photos import PhotoStore
from bot.texts import reports as rt
from handlers import report_keyboards as kb
from handlers.filters import has_location, has_photo, has_text, text_is
from handlers.keyboards import main_menu
from storage.uow import UnitOfWork


class ReportFlow(StatesGroup):
    text = State()
    emergency = State()
    photos = State()
    location = State()
    appeal = State()
    preview = State()


class FlowContext:
    """What every step needs, gathered from the handler's injected dependencies."""

    def __init__(
        self,
        state: FSMContext,
        uow: UnitOfWork,
        classifier: Classifier,
        photo_store: PhotoStore,
    ) -> None:
        self.state = state
        self.service = ReportService(uow, classifier, photo_store)

    async def draft(self) -> Draft | None:
        data = await self.state.get_data()
        return Draft.from_dict(data["draft"]) if data.get("draft") else None

    async def save(self, draft: Draft, step: State) -> None:
        await self.state.set_state(step)
        await self.state.update_data(draft=draft.to_dict())


def _flow(data: dict[str, Any]) -> FlowContext:
    return FlowContext(data["state"], data["uow"], data["classifier"], data["photo_store"])


# --- entry ------------------------------------------------------------------------------------


async def start_report(message: Message, **data: Any) -> None:
    flow, draft = _flow(data), Draft()
    await flow.save(draft, ReportFlow.text)
    await message.answer(rt.ASK_TEXT, reply_markup=kb.text_step(draft.id))


async def quick_photo(message: Message, **data: Any) -> None:
    """代表随手拍: a photo (with a caption) sent outside any flow starts a prefilled report."""
    flow, draft = _flow(data), Draft()
    assert message.photo
    draft.add_photo(_photo_of(message))
    draft.add_part((message.caption or "")[:2000])
    if draft.length >= MIN_TEXT:
        await _after_text(message, flow, draft)
        return
    await flow.save(draft, ReportFlow.text)
    await message.answer("已收到照片。" + rt.ASK_TEXT, reply_markup=kb.text_step(draft.id))


# --- step 1: text -----------------------------------------------------------------------------


async def text_part(message: Message, **data: Any) -> None:
    flow = _flow(data)
    draft = await flow.draft()
    if draft is None:
        return
    text = message.text or ""
    if text.startswith("/"):
        await message.answer(texts.UNKNOWN_COMMAND)
        return
    if not draft.add_part(text):
        await message.answer(rt.text_too_long(draft.length))
        return
    await flow.save(draft, ReportFlow.text)
    await message.answer(rt.text_saved(draft.length), reply_markup=kb.text_step(draft.id))


async def text_step_photo(message: Message, **data: Any) -> None:
    flow = _flow(data)
    draft = await flow.draft()
    if draft is None:
        return
    draft.add_photo(_photo_of(message))
    if message.caption and not draft.add_part(message.caption):
        await message.answer(rt.text_too_long(draft.length))
    await flow.save(draft, ReportFlow.text)
    await message.answer(rt.text_saved(draft.length), reply_markup=kb.text_step(draft.id))


async def text_expected(message: Message) -> None:
    await message.answer(rt.TEXT_EXPECTED)


async def _after_text(message: Message, flow: FlowContext, draft: Draft) -> None:
    analysis = flow.service.analyse(draft)
    if analysis.emergency is not None and not draft.emergency_seen:
        await flow.save(draft, ReportFlow.emergency)
        await message.answer(
            rt.emergency_advice(analysis.emergency), reply_markup=kb.emergency_step(draft.id)
        )
        return
    await _ask_photos(message, flow, draft)


# --- step 2: photos ---------------------------------------------------------------------------


async def _ask_photos(message: Message, flow: FlowContext, draft: Draft) -> None:
    await flow.save(draft, ReportFlow.photos)
    text = rt.photo_saved(len(draft.photos)) if draft.photos else rt.ASK_PHOTOS
    await message.answer(text, reply_markup=kb.photo_step(draft.id))


async def photo_received(message: Message, **data: Any) -> None:
    flow = _flow(data)
    draft = await flow.draft()
    if draft is None:
        return
    if not draft.add_photo(_photo_of(message)):
        await message.answer(rt.PHOTO_LIMIT, reply_markup=kb.photo_step(draft.id))
        return
    await flow.save(draft, ReportFlow.photos)
    await message.answer(rt.photo_saved(len(draft.photos)), reply_markup=kb.photo_step(draft.id))


async def photo_expected(message: Message) -> None:
    await message.answer(rt.PHOTO_EXPECTED)


# --- step 3: location -------------------------------------------------------------------------


async def _ask_location(message: Message, flow: FlowContext, draft: Draft) -> None:
    await flow.save(draft, ReportFlow.location)
    await message.answer(rt.ASK_LOCATION, reply_markup=kb.location_step())


async def location_received(message: Message, **data: Any) -> None:
    flow = _flow(data)
    draft = await flow.draft()
    if draft is None or message.location is None:
        return
    # About 10 m: enough to find the pothole, no more precise than the deputy's phone claimed.
    draft.latitude = round(message.location.latitude, 4)
    draft.longitude = round(message.location.longitude, 4)
    await message.answer(rt.LOCATION_SAVED, reply_markup=ReplyKeyboardRemove())
    await _ask_appeal(message, flow, draft)


async def location_text(message: Message, **data: Any) -> None:
    flow = _flow(data)
    draft = await flow.draft()
    if draft is None:
        return
    text = (message.text or "").strip()
    if text == rt.BTN_CANCEL:
        await _cancel(message, flow)
        return
    if text == rt.BTN_SKIP:
        await message.answer(rt.ADDRESS_SKIPPED, reply_markup=ReplyKeyboardRemove())
    elif not text or text.startswith("/"):
        await message.answer(rt.ASK_LOCATION, reply_markup=kb.location_step())
        return
    elif len(text) > MAX_ADDRESS:
        await message.answer(rt.ADDRESS_TOO_LONG)
        return
    else:
        draft.address = text
        await message.answer(rt.LOCATION_SAVED, reply_markup=ReplyKeyboardRemove())
    await _ask_appeal(message, flow, draft)


async def location_expected(message: Message) -> None:
    await message.answer(rt.ASK_LOCATION, reply_markup=kb.location_step())


# --- step 4: appeal type, then the preview ----------------------------------------------------


async def _ask_appeal(message: Message, flow: FlowContext, draft: Draft) -> None:
    if draft.appeal_type is None:
        draft.appeal_type = flow.service.analyse(draft).appeal_type
    await flow.save(draft, ReportFlow.appeal)
    await message.answer(
        rt.ASK_APPEAL_TYPE, reply_markup=kb.appeal_step(draft.id, draft.appeal_type)
    )


async def _show_preview(message: Message, flow: FlowContext, draft: Draft, edit: bool) -> None:
    preview = await flow.service.preview(draft, flow.service.analyse(draft))
    preview = await flow.service.with_similar(draft, preview)
    await flow.save(draft, ReportFlow.preview)
    similar_id = preview.similar.report_id if preview.similar else None
    text, markup = rt.render_preview(preview), kb.preview(draft.id, similar_id)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


# --- buttons ----------------------------------------------------------------------------------


@dataclass
class Tap:
    """One button press on the current draft, with what its step needs."""

    message: Message
    flow: FlowContext
    draft: Draft
    value: str
    deputy: DeputyView
    bot: Bot

    async def close_buttons(self) -> None:
        await self.message.edit_reply_markup(reply_markup=None)


async def flow_button(
    query: CallbackQuery,
    callback_data: kb.FlowAction,
    deputy: DeputyView,
    bot: Bot,
    **data: Any,
) -> None:
    flow = _flow(data)
    draft = await flow.draft()
    message = query.message
    step = _BUTTON_STEPS.get(callback_data.action)
    if draft is None or draft.id != callback_data.draft or not isinstance(message, Message):
        await query.answer(_stale_answer(callback_data))
        return
    if step is None:  # a forged action name
        await query.answer(rt.STALE)
        return
    if callback_data.action == "text_done" and draft.length < MIN_TEXT:
        await query.answer(rt.text_too_short(draft.length), show_alert=True)
        return
    await query.answer()
    await step(Tap(message, flow, draft, callback_data.value, deputy, bot))


async def _on_cancel(tap: Tap) -> None:
    await tap.close_buttons()
    await _cancel(tap.message, tap.flow)


async def _on_text_done(tap: Tap) -> None:
    await tap.close_buttons()
    await _after_text(tap.message, tap.flow, tap.draft)


async def _on_emergency_ok(tap: Tap) -> None:
    tap.draft.emergency_seen = True
    await tap.close_buttons()
    await _ask_photos(tap.message, tap.flow, tap.draft)


async def _on_photos_done(tap: Tap) -> None:
    await tap.close_buttons()
    await _ask_location(tap.message, tap.flow, tap.draft)


async def _on_appeal(tap: Tap) -> None:
    if not (tap.value.isdigit() and int(tap.value) < len(APPEAL_TYPES)):
        return
    tap.draft.appeal_type = APPEAL_TYPES[int(tap.value)]
    await tap.flow.save(tap.draft, ReportFlow.appeal)
    markup = kb.appeal_step(tap.draft.id, tap.draft.appeal_type)
    await tap.message.edit_reply_markup(reply_markup=markup)


async def _on_appeal_done(tap: Tap) -> None:
    await tap.close_buttons()
    await _show_preview(tap.message, tap.flow, tap.draft, edit=False)


async def _on_department(tap: Tap) -> None:
    await _choose_department(tap.message, tap.flow, tap.draft, tap.value)


async def _on_back(tap: Tap) -> None:
    await _choose_department(tap.message, tap.flow, tap.draft, "")


async def _on_alternatives(tap: Tap) -> None:
    preview = await tap.flow.service.preview(tap.draft, tap.flow.service.analyse(tap.draft))
    markup = kb.alternatives(tap.draft.id, preview.alternatives)
    await tap.message.edit_reply_markup(reply_markup=markup)


async def _on_browse(tap: Tap) -> None:
    departments = await tap.flow.service.departments()
    page = int(tap.value) if tap.value.isdigit() else 0
    markup = kb.directory_page(tap.draft.id, departments, page)
    await tap.message.edit_reply_markup(reply_markup=markup)


async def _on_edit(tap: Tap) -> None:
    tap.draft.parts = []
    await tap.flow.save(tap.draft, ReportFlow.text)
    await tap.close_buttons()
    await tap.message.answer(rt.ASK_TEXT_AGAIN, reply_markup=kb.text_step(tap.draft.id))


async def _on_confirm(tap: Tap) -> None:
    await _submit(tap.message, tap.flow, tap.draft, tap.deputy, tap.bot)


async def _on_join(tap: Tap) -> None:
    if tap.value.isdigit():
        await _join(tap.message, tap.flow, tap.draft, tap.deputy, int(tap.value))


_BUTTON_STEPS: dict[str, Callable[[Tap], Awaitable[None]]] = {
    "cancel": _on_cancel,
    "text_done": _on_text_done,
    "emergency_ok": _on_emergency_ok,
    "photos_done": _on_photos_done,
    "appeal": _on_appeal,
    "appeal_done": _on_appeal_done,
    "department": _on_department,
    "back": _on_back,
    "alternatives": _on_alternatives,
    "browse": _on_browse,
    "edit": _on_edit,
    "confirm": _on_confirm,
    "join": _on_join,
}


async def _choose_department(message: Message, flow: FlowContext, draft: Draft, code: str) -> None:
    if code and code in {d.code for d in await flow.service.departments()}:
        draft.department_code = code
    await _show_preview(message, flow, draft, edit=True)


async def _submit(
    message: Message, flow: FlowContext, draft: Draft, deputy: DeputyView, bot: Bot
) -> None:
    async def fetch_photo(file_id: str) -> bytes:
        downloaded = await bot.download(file_id)
        assert downloaded is not None
        return downloaded.read()

    result = await flow.service.submit(deputy, draft, fetch_photo)
    await flow.state.clear()
    await message.edit_reply_markup(reply_markup=None)
    await message.answer(rt.receipt(result), reply_markup=main_menu())


async def _join(
    message: Message, flow: FlowContext, draft: Draft, deputy: DeputyView, target_id: int
) -> None:
    result = await flow.service.join(deputy, draft, target_id)
    if result is None:
        await message.answer(rt.JOIN_CLOSED)
        await _show_preview(message, flow, draft, edit=False)
        return
    await flow.state.clear()
    await message.edit_reply_markup(reply_markup=None)
    await message.answer(rt.receipt(result), reply_markup=main_menu())


def _stale_answer(callback_data: kb.FlowAction) -> str:
    if callback_data.action == "confirm":
        return rt.STALE_CONFIRM
    return rt.STALE


async def _cancel(message: Message, flow: FlowContext) -> None:
    await flow.state.clear()
    await message.answer(rt.CANCELLED, reply_markup=main_menu())


def _photo_of(message: Message) -> DraftPhoto:
    assert message.photo
    largest = message.photo[-1]
    return DraftPhoto(file_id=largest.file_id, file_unique_id=largest.file_unique_id)


def register(router: Router) -> None:
    """Adds the flow's handlers to the (deputy-only) reports router."""
    router.message.register(start_report, Command("report"))
    router.message.register(start_report, text_is(texts.BTN_REPORT))
    router.callback_query.register(flow_button, kb.FlowAction.filter())
    router.message.register(text_part, StateFilter(ReportFlow.text), has_text)
    router.message.register(text_step_photo, StateFilter(ReportFlow.text), has_photo)
    router.message.register(text_expected, StateFilter(ReportFlow.text))
    router.message.register(photo_received, StateFilter(ReportFlow.photos), has_photo)
    router.message.register(photo_expected, StateFilter(ReportFlow.photos))
    router.message.register(location_received, StateFilter(ReportFlow.location), has_location)
    router.message.register(location_text, StateFilter(ReportFlow.location), has_text)
    router.message.register(location_expected, StateFilter(ReportFlow.location))
    router.message.register(quick_photo, StateFilter(None), has_photo)
