"""满意度评价: the buttons under the 已答复 notice, and the reason asked for after 不满意.

The buttons go once a choice is made, 不满意 included (handlers/common/prompts.py): while the
reason is awaited the notice waits to get them back, which it does if the reason is given up
(/cancel, /start, a new report). A press the service refuses takes the stale buttons away."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, Message

from bot import texts
from bot.core.text_input import clean, meaningful_length
from bot.services.deputies.view import DeputyView
from bot.services.feedback.ratings import RateOutcome, RateResult, RatingScore, RatingService
from bot.texts import ratings as rtx
from bot.texts import reports as rt
from handlers.common import prompts
from handlers.common.filters import has_text
from handlers.feedback.rating_keyboards import RateAction, rating_buttons, score_of


class RatingFlow(StatesGroup):
    reason = State()  # data: rating_report, rating_round


# Refusals shown as an alert on the button; the others get a message in the chat.
_REFUSALS: dict[RateOutcome, str] = {
    RateOutcome.ALREADY_RATED: rtx.ALREADY_RATED,
    RateOutcome.NOT_RATEABLE: rtx.NOT_RATEABLE,
    RateOutcome.NOT_FOUND: rt.NOT_YOUR_REPORT,
}


async def rate_button(
    query: CallbackQuery,
    callback_data: RateAction,
    deputy: DeputyView,
    ratings: RatingService,
    state: FSMContext,
    bot: Bot,
) -> None:
    message = query.message if isinstance(query.message, Message) else None
    score = score_of(callback_data)
    if score is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    result = await ratings.rate(
        deputy.id,
        callback_data.report_id,
        callback_data.round,
        score,
        actor=f"tg:{query.from_user.id}",
    )
    if result.outcome in _REFUSALS:
        await query.answer(_REFUSALS[result.outcome], show_alert=True)
        if message is not None:
            await prompts.drop_buttons(message)  # already rated or no longer rateable
        return
    await query.answer()
    if message is None:
        return
    await prompts.drop_buttons(message)  # a choice is made: the buttons are spent
    if result.outcome is RateOutcome.ASK_REASON:
        await prompts.retire(state, bot)
        await state.set_state(RatingFlow.reason)
        await state.update_data(
            rating_report=callback_data.report_id, rating_round=callback_data.round
        )
        await message.answer(
            rtx.ask_reason(result.number),
            reply_markup=ForceReply(input_field_placeholder=rtx.REASON_PLACEHOLDER),
        )
        restore = rating_buttons(callback_data.report_id, callback_data.round)
        await prompts.track(state, message, restore=restore)
        return
    await message.answer(_rated(result, score))


async def reason_received(
    message: Message, deputy: DeputyView, ratings: RatingService, state: FSMContext
) -> None:
    reason = clean(message.text)
    if reason.startswith("/"):  # an unknown command is not a reason
        await message.answer(rtx.REASON_EXPECTED)
        return
    if meaningful_length(reason) < rtx.MIN_REASON:
        await message.answer(rtx.reason_too_short())
        return
    if len(reason) > rtx.MAX_REASON:
        await message.answer(rtx.reason_too_long(len(reason)))
        return
    data = await state.get_data()
    await prompts.forget(state)  # answered: the notice's buttons stay gone
    await state.clear()
    result = await ratings.rate(
        deputy.id,
        int(data.get("rating_report", 0)),
        int(data.get("rating_round", 0)),
        RatingScore.UNSATISFIED,
        actor=f"tg:{message.chat.id}",
        reason=reason,
    )
    if result.outcome is RateOutcome.ALREADY_RATED:
        await message.answer(rtx.already_rated(result.number))
    elif result.outcome in _REFUSALS:
        await message.answer(rtx.reason_stale(result.number))
    else:
        await message.answer(_rated(result, RatingScore.UNSATISFIED))


async def reason_expected(message: Message) -> None:
    await message.answer(rtx.REASON_EXPECTED)


def _rated(result: RateResult, score: RatingScore) -> str:
    if result.outcome is RateOutcome.REOPENED:
        return rtx.reopened(result.number)
    if result.outcome is RateOutcome.ESCALATED:
        return rtx.recorded_for_staff(result.number)
    return rtx.thanks(result.number, score.value)


def setup() -> Router:
    """Included after the commands: /my still works while a reason is asked."""
    router = Router(name="ratings")
    router.callback_query.register(rate_button, RateAction.filter())
    router.message.register(reason_received, StateFilter(RatingFlow.reason), has_text)
    router.message.register(reason_expected, StateFilter(RatingFlow.reason))
    return router
