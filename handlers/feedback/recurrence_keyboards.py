"""Typed callback data and keyboard of the 复发 回访 (已解决 / 复发了)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.feedback.recurrence import RecurrenceQuestion
from bot.texts import recurrence as dtx


class RecurrenceAction(CallbackData, prefix="rec"):
    """The deputy's answer about report `report_id` after its handling round `round`."""

    report_id: int
    round: int
    recurred: bool


def recurrence_buttons(question: RecurrenceQuestion) -> InlineKeyboardMarkup:
    def button(text: str, recurred: bool) -> InlineKeyboardButton:
        data = RecurrenceAction(
            report_id=question.report_id, round=question.round, recurred=recurred
        )
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    return InlineKeyboardMarkup(
        inline_keyboard=[[button(dtx.BTN_RESOLVED, False), button(dtx.BTN_RECURRED, True)]]
    )
