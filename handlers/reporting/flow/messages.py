"""What the deputy sends during the flow: /report or 📝 (a new draft), a photo with a caption
outside any flow (代表随手拍), the text in one or more messages, photos, the place.

Danger in a text is answered before any of these run (handlers/common/danger.py); the
handlers here get it as `danger` and remember the deputy was warned."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove

from bot import texts
from bot.core.text_input import clean, is_blank
from bot.services.reporting.drafts import MAX_ADDRESS, Draft, PartOutcome
from bot.services.reporting.filing import ReportService
from bot.texts import reports as rt
from classifiers import Emergency
from handlers.common import prompts
from handlers.reporting import keyboards as kb
from handlers.reporting.flow import steps
from handlers.reporting.flow.context import FlowContext, ReportFlow, photo_of


async def start_report(message: Message, state: FSMContext, reports: ReportService) -> None:
    flow, draft = FlowContext(state, reports), Draft()
    await flow.save(draft, ReportFlow.text)
    await prompts.ask(message, state, rt.ASK_TEXT, kb.text_step(draft.id))


async def quick_photo(
    message: Message, state: FSMContext, reports: ReportService, danger: Emergency | None = None
) -> None:
    """代表随手拍: a photo (with a caption) sent outside any flow starts a prefilled report; the
    deputy is told the caption became the report's text."""
    flow, draft = FlowContext(state, reports), Draft()
    draft.add_photo(photo_of(message))
    draft.add_part((message.caption or "")[:2000])
    draft.emergency_seen = danger is not None
    intro = rt.quick_photo_taken(draft.text, draft.length)
    if draft.long_enough:
        await steps.after_text(message, flow, draft, intro=intro + "\n\n")
        return
    await flow.save(draft, ReportFlow.text)
    ask = rt.quick_photo_too_short(draft.meaningful) if draft.text else rt.ASK_TEXT
    await prompts.ask(message, state, intro + "\n" + ask, kb.text_step(draft.id))


async def text_part(
    message: Message, state: FSMContext, reports: ReportService, danger: Emergency | None = None
) -> None:
    flow = FlowContext(state, reports)
    draft = await flow.draft()
    if draft is None:
        return
    text = message.text or ""
    if text.startswith("/"):
        await message.answer(texts.UNKNOWN_COMMAND)
        return
    outcome = draft.add_part(text)
    if outcome is PartOutcome.EMPTY:
        await message.answer(rt.TEXT_EMPTY)
        return
    if outcome is PartOutcome.TOO_LONG:
        await message.answer(rt.text_too_long(draft.length))
        return
    draft.emergency_seen = draft.emergency_seen or danger is not None
    await flow.save(draft, ReportFlow.text)
    await prompts.ask(message, state, rt.text_saved(draft.length), kb.text_step(draft.id))


async def text_step_photo(
    message: Message, state: FSMContext, reports: ReportService, danger: Emergency | None = None
) -> None:
    flow = FlowContext(state, reports)
    draft = await flow.draft()
    if draft is None:
        return
    draft.add_photo(photo_of(message))
    if message.caption and draft.add_part(message.caption) is PartOutcome.TOO_LONG:
        await message.answer(rt.text_too_long(draft.length))
    draft.emergency_seen = draft.emergency_seen or danger is not None
    await flow.save(draft, ReportFlow.text)
    await prompts.ask(message, state, rt.text_saved(draft.length), kb.text_step(draft.id))


async def text_expected(message: Message) -> None:
    await message.answer(rt.TEXT_EXPECTED)


async def photo_received(message: Message, state: FSMContext, reports: ReportService) -> None:
    flow = FlowContext(state, reports)
    draft = await flow.draft()
    if draft is None:
        return
    if not draft.add_photo(photo_of(message)):
        await prompts.ask(message, state, rt.PHOTO_LIMIT, kb.photo_step(draft.id))
        return
    await flow.save(draft, ReportFlow.photos)
    await prompts.ask(message, state, rt.photo_saved(len(draft.photos)), kb.photo_step(draft.id))


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
    place = reports.place(draft)
    await message.answer(rt.location_saved(place), reply_markup=ReplyKeyboardRemove())
    await steps.ask_appeal(message, flow, draft)


async def location_text(message: Message, state: FSMContext, reports: ReportService) -> None:
    flow = FlowContext(state, reports)
    draft = await flow.draft()
    if draft is None:
        return
    text = clean(message.text)
    if text == rt.BTN_CANCEL:
        await steps.cancel(message, flow)
        return
    if text == rt.BTN_SKIP:
        await message.answer(rt.ADDRESS_SKIPPED, reply_markup=ReplyKeyboardRemove())
    elif is_blank(text) or text.startswith("/"):
        await message.answer(rt.ASK_LOCATION, reply_markup=kb.location_step())
        return
    elif len(text) > MAX_ADDRESS:
        await message.answer(rt.ADDRESS_TOO_LONG)
        return
    else:
        draft.address = text
        place = reports.place(draft)
        await message.answer(rt.location_saved(place), reply_markup=ReplyKeyboardRemove())
    await steps.ask_appeal(message, flow, draft)


async def location_expected(message: Message) -> None:
    await message.answer(rt.ASK_LOCATION, reply_markup=kb.location_step())
