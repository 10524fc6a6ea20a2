"""What the deputy sends during the flow: /report or 📝 (a new draft), a photo with a caption
outside any flow (代表随手拍), the text in one or more messages, photos, the place."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove

from bot import texts
from bot.services.reporting.drafts import MAX_ADDRESS, MIN_TEXT, Draft
from bot.services.reporting.filing import ReportService
from bot.texts import reports as rt
from handlers.reporting import keyboards as kb
from handlers.reporting.flow import steps
from handlers.reporting.flow.context import FlowContext, ReportFlow, photo_of


async def start_report(message: Message, state: FSMContext, reports: ReportService) -> None:
    flow, draft = FlowContext(state, reports), Draft()
    await flow.save(draft, ReportFlow.text)
    await message.answer(rt.ASK_TEXT, reply_markup=kb.text_step(draft.id))


async def quick_photo(message: Message, state: FSMContext, reports: ReportService) -> None:
    """代表随手拍: a photo (with a caption) sent outside any flow starts a prefilled report."""
    flow, draft = FlowContext(state, reports), Draft()
    draft.add_photo(photo_of(message))
    draft.add_part((message.caption or "")[:2000])
    if draft.length >= MIN_TEXT:
        await steps.after_text(message, flow, draft)
        return
    await flow.save(draft, ReportFlow.text)
    await message.answer("已收到照片。" + rt.ASK_TEXT, reply_markup=kb.text_step(draft.id))


async def text_part(message: Message, state: FSMContext, reports: ReportService) -> None:
    flow = FlowContext(state, reports)
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


async def text_step_photo(message: Message, state: FSMContext, reports: ReportService) -> None:
    flow = FlowContext(state, reports)
    draft = await flow.draft()
    if draft is None:
        return
    draft.add_photo(photo_of(message))
    if message.caption and not draft.add_part(message.caption):
        await message.answer(rt.text_too_long(draft.length))
    await flow.save(draft, ReportFlow.text)
    await message.answer(rt.text_saved(draft.length), reply_markup=kb.text_step(draft.id))


async def text_expected(message: Message) -> None:
    await message.answer(rt.TEXT_EXPECTED)


async def photo_received(message: Message, state: FSMContext, reports: ReportService) -> None:
    flow = FlowContext(state, reports)
    draft = await flow.draft()
    if draft is None:
        return
    if not draft.add_photo(photo_of(message)):
        await message.answer(rt.PHOTO_LIMIT, reply_markup=kb.photo_step(draft.id))
        return
    await flow.save(draft, ReportFlow.photos)
    await message.answer(rt.photo_saved(len(draft.photos)), reply_markup=kb.photo_step(draft.id))


async def photo_expected(message: Message) -> None:
    await message.answer(rt.PHOTO_EXPECTED)


async def location_received(message: Message, state: FSMContext, reports: ReportService) -> None:
    flow = FlowContext(state, reports)
    draft = await flow.draft()
    if draft is None or message.location is None:
        return
    # About 10 m: enough to find the pothole, no more precise than the deputy's phone claimed.
    draft.latitude = round(message.location.latitude, 4)
    draft.longitude = round(message.location.longitude, 4)
    await message.answer(rt.LOCATION_SAVED, reply_markup=ReplyKeyboardRemove())
    await steps.ask_appeal(message, flow, draft)


async def location_text(message: Message, state: FSMContext, reports: ReportService) -> None:
    flow = FlowContext(state, reports)
    draft = await flow.draft()
    if draft is None:
        return
    text = (message.text or "").strip()
    if text == rt.BTN_CANCEL:
        await steps.cancel(message, flow)
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
    await steps.ask_appeal(message, flow, draft)


async def location_expected(message: Message) -> None:
    await message.answer(rt.ASK_LOCATION, reply_markup=kb.location_step())
