"""我的反映: a deputy's reports, one report's timeline, withdrawing it and 催办."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.services.deputies.view import DeputyView
from bot.services.feedback.urging import UrgeOutcome, UrgeService
from bot.services.reporting.history import ReportHistoryService, WithdrawOutcome
from bot.texts import ratings as rtx
from bot.texts import reports as rt
from handlers.common.filters import text_is
from handlers.reporting import keyboards as kb

_URGE_ANSWERS: dict[UrgeOutcome, str] = {
    UrgeOutcome.URGED: rtx.URGED,
    UrgeOutcome.ALREADY_TODAY: rtx.URGED_TODAY,
    UrgeOutcome.NOT_URGEABLE: rtx.NOT_URGEABLE,
    UrgeOutcome.NOT_FOUND: rt.NOT_YOUR_REPORT,
}


async def my_reports(message: Message, deputy: DeputyView, history: ReportHistoryService) -> None:
    page = await history.page(deputy.id, 0)
    await message.answer(rt.render_page(page), reply_markup=kb.my_page(page))


async def my_button(
    query: CallbackQuery,
    callback_data: kb.MyAction,
    deputy: DeputyView,
    history: ReportHistoryService,
    urging: UrgeService,
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
        await _urge(query, callback_data, deputy, urging)
        return
    if action == "withdraw_ok":
        outcome = await history.withdraw(
            deputy.id, callback_data.report_id, actor=f"tg:{query.from_user.id}"
        )
        if outcome is WithdrawOutcome.NOT_FOUND:
            await query.answer(rt.NOT_YOUR_REPORT, show_alert=True)
            return
        await query.answer(
            rt.WITHDRAWN if outcome is WithdrawOutcome.WITHDRAWN else rt.WITHDRAW_TOO_LATE,
            show_alert=outcome is WithdrawOutcome.TOO_LATE,
        )
    detail = await history.detail(deputy.id, callback_data.report_id)
    if detail is None:  # someone else's report, or a forged id
        await query.answer(rt.NOT_YOUR_REPORT, show_alert=True)
        return
    if action == "withdraw" and detail.can_withdraw:
        await query.answer()
        await message.edit_text(
            rt.render_detail(detail) + "\n\n" + rt.WITHDRAW_CONFIRM,
            reply_markup=kb.my_withdraw_confirm(detail.id, callback_data.page),
        )
        return
    if action != "withdraw_ok":
        await query.answer()
    await message.edit_text(
        rt.render_detail(detail), reply_markup=kb.my_detail(detail, callback_data.page)
    )


async def _urge(
    query: CallbackQuery, callback_data: kb.MyAction, deputy: DeputyView, urging: UrgeService
) -> None:
    """Answered on the button only: the page itself does not change until the hotline replies."""
    outcome = await urging.urge(
        deputy.id, callback_data.report_id, actor=f"tg:{query.from_user.id}"
    )
    await query.answer(_URGE_ANSWERS[outcome], show_alert=outcome is not UrgeOutcome.URGED)


def setup() -> Router:
    router = Router(name="my_reports")
    router.message.register(my_reports, Command("my"))
    router.message.register(my_reports, text_is(texts.BTN_MY_REPORTS))
    router.callback_query.register(my_button, kb.MyAction.filter())
    return router
