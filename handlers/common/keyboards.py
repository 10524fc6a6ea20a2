"""Reply and inline keyboards shared by several routers."""

from __future__ import annotations

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup

from bot import texts


def contact_request() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=texts.BTN_SHARE_CONTACT, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder="点击下方按钮分享手机号",
    )


def main_menu() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=texts.BTN_REPORT)],
            [KeyboardButton(text=texts.BTN_MY_REPORTS), KeyboardButton(text=texts.BTN_HELP)],
        ],
        resize_keyboard=True,
    )
