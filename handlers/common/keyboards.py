"""Reply and inline keyboards shared by several routers."""

from __future__ import annotations

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot import texts


def contact_request() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=texts.BTN_SHARE_CONTACT, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder="点击下方按钮分享手机号",
    )


def not_verified(deactivated: bool) -> tuple[str, ReplyKeyboardMarkup | ReplyKeyboardRemove]:
    """What someone who may not file is told: a deactivated deputy learns why (sharing the
    phone again would not help); anyone else is asked to verify."""
    if deactivated:
        return texts.CONTACT_INACTIVE, ReplyKeyboardRemove()
    return texts.NOT_BOUND, contact_request()


def main_menu() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=texts.BTN_REPORT)],
            [KeyboardButton(text=texts.BTN_MY_REPORTS), KeyboardButton(text=texts.BTN_HELP)],
        ],
        resize_keyboard=True,
    )
