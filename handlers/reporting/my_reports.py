"""我的反映: a deputy's reports, one report's timeline, withdrawing it (with an optional reason
for the hotline) and 催办.

Notices follow one rule: what happened is a message that stays in the chat; a press that
changes nothing is answered on the button (and stale buttons go)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InputMediaPhoto, Message

from bot import texts
from bot.core.text_input import clean, is_blank
from bot.services.deputies.view import DeputyView
from bot.services.feedback.urging import UrgeOutcome, UrgeService
from bot.services.reporting.history import ReportHistoryService, WithdrawOutcome
from bot.texts import ratings as rtx
from bot.texts import reports as rt
from handlers.common import prompts
from handlers.common.filters import has_text, text_is
from handlers.reporting import keyboards as kb

_URGE_REFUSALS: dict[UrgeOutcome, str] = {
    UrgeOutcome.ALREADY_TODAY: rtx.URGED_TODAY,
    UrgeOutcome.NOT_URGEABLE: rtx.NOT_URGEABLE,
    UrgeOutcome.NOT_FOUND: rt.NOT_YOUR_REPORT,
}


class WithdrawFlow(StatesGroup):
    reason = State()  # data: withdraw_report, withdraw_page


async def my_reports(message: Message, deputy: DeputyView, history: ReportHistoryService) -> None:
    page = await history.page(deputy.id, 0)
    await message.answer(rt.render_page(page), reply_markup=kb.my_page(page))


async def my_button(
    query: CallbackQuery,
    callback_data: kb.MyAction,
    deputy: DeputyView,
    history: ReportHistoryService,
    urging: UrgeService,
    state: FSMContext,
    bot: Bot,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer(texts.STALE_BUTTON)
        return
    action = callback_data.action
    if action == "page":
        page = await history.page(deputy.id, callback_data.page)
        await query.answer()
        await message.edit_text(rt.render_page(page), reply_markup=kb.my_page(page))
        return
    if action == "urge":
        await _urge(query, message, callback_data, deputy, urging, history)
        return
    if action == "photos":
        await _photos(query, message, deputy, history, callback_data.report_id)
        return
    if action == "withdraw_ok":
        await _withdraw(query, message, deputy, history, state, bot, callback_data.report_id, "")
        return
    detail = await history.detail(deputy.id, callback_data.report_id)
    if detail is None:  # someone else's report, or a forged id
        await query.answer(rt.NOT_YOUR_REPORT, show_alert=True)
        return
    await query.answer()
    if action == "withdraw" and detail.can_withdraw:
        await prompts.retire(state, bot)
        await state.set_state(WithdrawFlow.reason)
        await state.update_data(withdraw_report=detail.id, withdraw_page=callback_data.page)
        await message.edit_text(
            rt.render_detail(detail) + "\n\n" + rt.WITHDRAW_CONFIRM,
            reply_markup=kb.my_withdraw_confirm(detail.id, callback_data.page),
        )
        await prompts.track(state, message)
        return
    if await state.get_state() == WithdrawFlow.reason.state:  # 取消: the withdrawal is off
        await prompts.forget(state)
        await state.clear()
    await message.edit_text(
        rt.render_detail(detail), reply_markup=kb.my_detail(detail, callback_data.page)
    )


async def withdraw_reason(
    message: Message,
    deputy: DeputyView,
    history: ReportHistoryService,
    state: FSMContext,
    bot: Bot,
) -> None:
    reason = clean(message.text)
    if reason.startswith("/") or is_blank(reason):
        await message.answer(rt.WITHDRAW_REASON_EXPECTED)
        return
    if len(reason) > rt.MAX_WITHDRAW_REASON:
        await message.answer(rt.withdraw_reason_too_long(len(reason)))
        return
    data = await state.get_data()
    report_id = int(data.get("withdraw_report", 0))
    await _withdraw(None, message, deputy, history, state, bot, report_id, reason)


async def _withdraw(
    query: CallbackQuery | None,
    message: Message,
    deputy: DeputyView,
    history: ReportHistoryService,
    state: FSMContext,
    bot: Bot,
    report_id: int,
    reason: str,
) -> None:
    data = await state.get_data()
    card = message.message_id if query is not None else await prompts.live_message_id(state)
    page = int(data.get("withdraw_page", 0))
    outcome = await history.withdraw(
        deputy.id, report_id, actor=f"tg:{deputy.telegram_user_id}", reason=reason
    )
    await prompts.forget(state)  # the card is redrawn below with the buttons that still apply
    await state.clear()
    detail = await history.detail(deputy.id, report_id)
    if detail is not None and card is not None:
        await bot.edit_message_text(
            rt.render_detail(detail),
            chat_id=message.chat.id,
            message_id=card,
            reply_markup=kb.my_detail(detail, page),
        )
    if outcome is WithdrawOutcome.WITHDRAWN and detail is not None:
        if query is not None:
            await query.answer()
        await message.answer(rt.withdrawn(detail.number, reason))
        return
    refusal = rt.NOT_YOUR_REPORT if detail is None else rt.WITHDRAW_TOO_LATE
    if query is not None:
        await query.answer(refusal, show_alert=True)
    else:
        await message.answer(refusal)


async def _photos(
    query: CallbackQuery,
    message: Message,
    deputy: DeputyView,
    history: ReportHistoryService,
    report_id: int,
) -> None:
    """The report's photos, sent into the chat where the deputy can open them."""
    file_ids = await history.photo_file_ids(deputy.id, report_id)
    detail = await history.detail(deputy.id, report_id)
    if not file_ids or detail is None:
        await query.answer(rt.NOT_YOUR_REPORT if detail is None else texts.STALE_BUTTON)
        return
    await query.answer()
    caption = rt.photos_caption(detail.number)
    if len(file_ids) == 1:
        await message.answer_photo(file_ids[0], caption=caption)
        return
    album = [
        InputMediaPhoto(media=file_id, caption=caption if index == 0 else None)
        for index, file_id in enumerate(file_ids[:10])
    ]
    await message.answer_media_group(album)  # type: ignore[arg-type]


async def _urge(
    query: CallbackQuery,
    message: Message,
    callback_data: kb.MyAction,
    deputy: DeputyView,
    urging: UrgeService,
    history: ReportHistoryService,
) -> None:
    outcome = await urging.urge(
        deputy.id, callback_data.report_id, actor=f"tg:{query.from_user.id}"
    )
    if outcome in _URGE_REFUSALS:
        await query.answer(_URGE_REFUSALS[outcome], show_alert=True)
        return
    await query.answer()
    detail = await history.detail(deputy.id, callback_data.report_id)
    await message.answer(rtx.urged(detail.number if detail else ""))


def setup() -> Router:
    router = Router(name="my_reports")
    router.message.register(my_reports, Command("my"))
    router.message.register(my_reports, text_is(texts.BTN_MY_REPORTS))
    router.callback_query.register(my_button, kb.MyAction.filter())
    router.message.register(withdraw_reason, StateFilter(WithdrawFlow.reason), has_text)
    return router
