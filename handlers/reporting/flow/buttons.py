"""The flow's buttons. Every button carries its draft's id, and only the live prompt's buttons
count (handlers/common/prompts.py): a press on an older message, an older or finished draft is
answered as stale and that message's buttons go; a forged action name changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.services.deputies.view import DeputyView
from bot.services.reporting.drafts import Draft
from bot.services.reporting.filing import APPEAL_TYPES, ReportService
from bot.texts import reports as rt
from handlers.common import prompts
from handlers.reporting import keyboards as kb
from handlers.reporting.flow import steps
from handlers.reporting.flow.context import FlowContext, ReportFlow


@dataclass
class Tap:
    """One button press on the current draft, with what its step needs."""

    message: Message
    flow: FlowContext
    draft: Draft
    value: str
    deputy: DeputyView
    bot: Bot


async def flow_button(
    query: CallbackQuery,
    callback_data: kb.FlowAction,
    deputy: DeputyView,
    bot: Bot,
    state: FSMContext,
    reports: ReportService,
) -> None:
    flow = FlowContext(state, reports)
    draft = await flow.draft()
    message = query.message
    step = _BUTTON_STEPS.get(callback_data.action)
    if not isinstance(message, Message):
        await query.answer(rt.STALE)
        return
    live = await prompts.live_message_id(state)
    if (
        draft is None
        or draft.id != callback_data.draft
        or (live is not None and live != message.message_id)
    ):
        await query.answer(rt.STALE_CONFIRM if callback_data.action == "confirm" else rt.STALE)
        await prompts.drop_buttons(message)
        return
    if step is None:  # a forged action name
        await query.answer(rt.STALE)
        return
    if callback_data.action == "text_done" and not draft.long_enough:
        await query.answer(rt.text_too_short(draft.meaningful), show_alert=True)
        return
    await query.answer()
    await step(Tap(message, flow, draft, callback_data.value, deputy, bot))


async def _on_cancel(tap: Tap) -> None:
    await steps.cancel(tap.message, tap.flow)


async def _on_text_done(tap: Tap) -> None:
    await steps.after_text(tap.message, tap.flow, tap.draft)


async def _on_emergency_ok(tap: Tap) -> None:
    tap.draft.emergency_seen = True
    await steps.ask_photos(tap.message, tap.flow, tap.draft)


async def _on_photos_done(tap: Tap) -> None:
    await steps.ask_location(tap.message, tap.flow, tap.draft)


async def _on_appeal(tap: Tap) -> None:
    if not (tap.value.isdigit() and int(tap.value) < len(APPEAL_TYPES)):
        return
    tap.draft.appeal_type = APPEAL_TYPES[int(tap.value)]
    await tap.flow.save(tap.draft, ReportFlow.appeal)
    markup = kb.appeal_step(tap.draft.id, tap.draft.appeal_type)
    await tap.message.edit_reply_markup(reply_markup=markup)


async def _on_appeal_done(tap: Tap) -> None:
    await steps.show_preview(tap.message, tap.flow, tap.draft, edit=False)


async def _on_department(tap: Tap) -> None:
    await steps.choose_department(tap.message, tap.flow, tap.draft, tap.value)


async def _on_back(tap: Tap) -> None:
    await steps.choose_department(tap.message, tap.flow, tap.draft, "")


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
    await prompts.ask(tap.message, tap.flow.state, rt.ASK_TEXT_AGAIN, kb.text_step(tap.draft.id))


async def _on_confirm(tap: Tap) -> None:
    await steps.submit(tap.message, tap.flow, tap.draft, tap.deputy, tap.bot)


async def _on_join(tap: Tap) -> None:
    if tap.value.isdigit():
        await steps.join(tap.message, tap.flow, tap.draft, tap.deputy, int(tap.value))


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
