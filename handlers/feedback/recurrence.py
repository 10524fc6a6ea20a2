"""复发 回访: the deputy's answer to "did the problem come back?" (已解决 / 复发了).

Only the report's own deputy may answer (the service checks it); a stale, forged or replayed
button is answered in Chinese on the button and changes nothing."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.services.deputies.view import DeputyView
from bot.services.feedback.recurrence import RecurrenceOutcome, RecurrenceService
from bot.texts import recurrence as dtx
from bot.texts import reports as rt
from handlers.common import prompts
from handlers.feedback.recurrence_keyboards import RecurrenceAction

# Refusals shown as an alert on the button; an accepted answer gets a message in the chat.
_REFUSALS: dict[RecurrenceOutcome, str] = {
    RecurrenceOutcome.ALREADY_ANSWERED: dtx.RECURRENCE_ALREADY_ANSWERED,
    RecurrenceOutcome.STALE: dtx.RECURRENCE_STALE,
    RecurrenceOutcome.NOT_FOUND: rt.NOT_YOUR_REPORT,
}
_ANSWERS = {
    RecurrenceOutcome.RESOLVED: dtx.resolved,
    RecurrenceOutcome.REOPENED: dtx.recurred,
    RecurrenceOutcome.ESCALATED: dtx.recurred_for_staff,
}


async def recurrence_button(
    query: CallbackQuery,
    callback_data: RecurrenceAction,
    deputy: DeputyView,
    recurrence: RecurrenceService,
) -> None:
    result = await recurrence.answer(
        deputy.id,
        callback_data.report_id,
        callback_data.round,
        recurred=callback_data.recurred,
        actor=f"tg:{query.from_user.id}",
    )
    message = query.message if isinstance(query.message, Message) else None
    if result.outcome in _REFUSALS:
        await query.answer(_REFUSALS[result.outcome], show_alert=True)
        if message is not None:
            await prompts.drop_buttons(message)  # stale: answered already, or closed
        return
    await query.answer()
    if message is not None:
        await prompts.drop_buttons(message)  # answered: the buttons are spent
        await message.answer(_ANSWERS[result.outcome](result.number))


def setup() -> Router:
    router = Router(name="recurrence")
    router.callback_query.register(recurrence_button, RecurrenceAction.filter())
    return router
