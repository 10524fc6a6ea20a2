"""The flow's transitions, each asking for the next step: after the text (danger first), photos,
location, appeal type, the explained preview, and the ends (submit, 附议, cancel). Every
question goes through `prompts.ask`: the buttons of the step before it go."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.types import Message

from bot.services.deputies.view import DeputyView
from bot.services.reporting.drafts import Draft
from bot.services.reporting.photos import PhotoUnavailable
from bot.texts import reports as rt
from handlers.common import prompts
from handlers.common.keyboards import main_menu
from handlers.reporting import keyboards as kb
from handlers.reporting.flow.context import FlowContext, ReportFlow


async def after_text(message: Message, flow: FlowContext, draft: Draft, intro: str = "") -> None:
    """The text is complete. Danger the deputy has not been warned of yet (it was spread over
    several messages) is answered first; then the photos are asked for."""
    analysis = flow.service.analyse(draft)
    if analysis.emergency is not None and not draft.emergency_seen:
        await flow.save(draft, ReportFlow.emergency)
        await prompts.ask(
            message,
            flow.state,
            intro + rt.emergency_advice(analysis.emergency),
            kb.emergency_step(draft.id),
        )
        return
    await ask_photos(message, flow, draft, intro)


async def ask_photos(message: Message, flow: FlowContext, draft: Draft, intro: str = "") -> None:
    await flow.save(draft, ReportFlow.photos)
    text = rt.photo_saved(len(draft.photos)) if draft.photos else rt.ASK_PHOTOS
    await prompts.ask(message, flow.state, intro + text, kb.photo_step(draft.id))


async def ask_location(message: Message, flow: FlowContext, draft: Draft) -> None:
    await flow.save(draft, ReportFlow.location)
    await prompts.ask(message, flow.state, rt.ASK_LOCATION, kb.location_step())


async def ask_appeal(message: Message, flow: FlowContext, draft: Draft) -> None:
    if draft.appeal_type is None:
        draft.appeal_type = flow.service.analyse(draft).appeal_type
    await flow.save(draft, ReportFlow.appeal)
    await prompts.ask(
        message, flow.state, rt.ASK_APPEAL_TYPE, kb.appeal_step(draft.id, draft.appeal_type)
    )


async def show_preview(message: Message, flow: FlowContext, draft: Draft, edit: bool) -> None:
    preview = await flow.service.preview(draft, flow.service.analyse(draft))
    preview = await flow.service.with_similar(draft, preview)
    await flow.save(draft, ReportFlow.preview)
    similar_id = preview.similar.report_id if preview.similar else None
    text, markup = rt.render_preview(preview), kb.preview(draft.id, similar_id)
    if edit:  # the preview card itself (更换部门, 返回预览): it stays the live prompt
        await message.edit_text(text, reply_markup=markup)
    else:
        await prompts.ask(message, flow.state, text, markup)


async def choose_department(message: Message, flow: FlowContext, draft: Draft, code: str) -> None:
    if code and code in {d.code for d in await flow.service.departments()}:
        draft.department_code = code
    await show_preview(message, flow, draft, edit=True)


async def submit(
    message: Message, flow: FlowContext, draft: Draft, deputy: DeputyView, bot: Bot
) -> None:
    async def fetch_photo(file_id: str) -> bytes:
        try:
            downloaded = await bot.download(file_id)
        except (AiogramError, OSError, TimeoutError) as error:  # getFile refused, a timeout
            raise PhotoUnavailable(f"{type(error).__name__}: {error}"[:200]) from error
        if downloaded is None:
            raise PhotoUnavailable("no file")
        return downloaded.read()

    result = await flow.service.submit(deputy, draft, fetch_photo)
    await prompts.finish(flow.state, bot)
    await message.answer(rt.receipt(result), reply_markup=main_menu())


async def join(
    message: Message, flow: FlowContext, draft: Draft, deputy: DeputyView, target_id: int
) -> None:
    result = await flow.service.join(deputy, draft, target_id)
    if result is None:
        await message.answer(rt.JOIN_CLOSED)
        await show_preview(message, flow, draft, edit=False)
        return
    await prompts.finish(flow.state, message.bot)
    await message.answer(rt.receipt(result), reply_markup=main_menu())


async def cancel(message: Message, flow: FlowContext) -> None:
    await prompts.finish(flow.state, message.bot)
    await message.answer(rt.CANCELLED, reply_markup=main_menu())
