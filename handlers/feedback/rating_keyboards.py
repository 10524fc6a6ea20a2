"""Typed callback data and keyboard of 满意度评价 (under the 已答复 notice)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.feedback.ratings import RatingScore
from bot.texts import ratings as rtx

# The callback carries the index: Chinese in callback_data would eat its 64 bytes.
SCORES: tuple[tuple[RatingScore, str], ...] = (
    (RatingScore.SATISFIED, rtx.BTN_SATISFIED),
    (RatingScore.BASICALLY, rtx.BTN_BASICALLY),
    (RatingScore.UNSATISFIED, rtx.BTN_UNSATISFIED),
)


class RateAction(CallbackData, prefix="rate"):
    """A rating of answer `round` of report `report_id`; a button of an earlier round is stale."""

    report_id: int
    round: int
    score: int  # index into SCORES


def score_of(callback_data: RateAction) -> RatingScore | None:
    index = callback_data.score
    return SCORES[index][0] if 0 <= index < len(SCORES) else None


def rating_buttons(report_id: int, round_: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=label,
                    callback_data=RateAction(
                        report_id=report_id, round=round_, score=index
                    ).pack(),
                )
                for index, (_score, label) in enumerate(SCORES)
            ]
        ]
    )
