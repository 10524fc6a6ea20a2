"""Typed callback data and the buttons of a ticket card in the operators' group."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.hotline.telegram import texts as otx
from bot.hotline.telegram.cards import CardView, OperatorAction

# One letter per action: the callback data stays far below Telegram's 64 bytes.
_CODES: dict[OperatorAction, str] = {
    OperatorAction.ACCEPT: "a",
    OperatorAction.RETURN: "r",
    OperatorAction.ANSWER: "w",
    OperatorAction.CLOSE: "c",
}
_ACTIONS = {code: action for action, code in _CODES.items()}


class TicketButton(CallbackData, prefix="op"):
    """A card's button: which report, which action. Which card it sits on is the tapped
    message itself; only the ticket's current card acts."""

    report_id: int
    action: str  # a code of _CODES


def action_of(callback_data: TicketButton) -> OperatorAction | None:
    return _ACTIONS.get(callback_data.action)


def card_buttons(view: CardView) -> InlineKeyboardMarkup | None:
    """The buttons that apply in the card's status; None when nothing is left to do."""
    if not view.actions:
        return None
    row = [
        InlineKeyboardButton(
            text=otx.BUTTONS[action],
            callback_data=TicketButton(report_id=view.report_id, action=_CODES[action]).pack(),
        )
        for action in view.actions
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])
