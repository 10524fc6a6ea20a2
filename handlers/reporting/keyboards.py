"""Typed callback data and keyboards of the report flow and "my reports"."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.services.reporting.filing import APPEAL_TYPES, DepartmentChoice
from bot.services.reporting.history import ReportDetail, ReportPage
from bot.texts import ratings as ratings_text
from bot.texts import reports as rt

DEPARTMENTS_PER_PAGE = 8


class FlowAction(CallbackData, prefix="rf"):
    """A button of the draft `draft`: a tap on an older draft's button is stale."""

    action: str
    draft: str
    value: str = ""


class MyAction(CallbackData, prefix="my"):
    action: str  # page / view / photos / withdraw / withdraw_ok / urge
    report_id: int = 0
    page: int = 0


def _button(text: str, action: str, draft: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=FlowAction(action=action, draft=draft, value=value).pack()
    )


def text_step(draft: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(rt.BTN_DONE, "text_done", draft), _button(rt.BTN_CANCEL, "cancel", draft)]
        ]
    )


def emergency_step(draft: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(rt.BTN_CONTINUE, "emergency_ok", draft)],
            [_button(rt.BTN_CANCEL, "cancel", draft)],
        ]
    )


def photo_step(draft: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(rt.BTN_DONE, "photos_done", draft),
                _button(rt.BTN_SKIP, "photos_done", draft),
            ],
            [_button(rt.BTN_CANCEL, "cancel", draft)],
        ]
    )


def location_step() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=rt.BTN_SEND_LOCATION, request_location=True)],
            [KeyboardButton(text=rt.BTN_SKIP), KeyboardButton(text=rt.BTN_CANCEL)],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder="输入详细地址，或点击下方按钮",
    )


def appeal_step(draft: str, selected: str) -> InlineKeyboardMarkup:
    types = [
        _button(("✅" if name == selected else "") + name, "appeal", draft, str(index))
        for index, name in enumerate(APPEAL_TYPES)
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[types[:3], types[3:], [_button(rt.BTN_NEXT, "appeal_done", draft)]]
    )


def preview(draft: str, similar_report_id: int | None = None) -> InlineKeyboardMarkup:
    join = [[_button(rt.BTN_JOIN, "join", draft, str(similar_report_id))]]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            *(join if similar_report_id else []),
            [_button(rt.BTN_CONFIRM, "confirm", draft)],
            [
                _button(rt.BTN_EDIT, "edit", draft),
                _button(rt.BTN_CHANGE_DEPT, "alternatives", draft),
            ],
            [_button(rt.BTN_CANCEL, "cancel", draft)],
        ]
    )


def alternatives(draft: str, choices: list[DepartmentChoice]) -> InlineKeyboardMarkup:
    rows = [[_button(choice.name, "department", draft, choice.code)] for choice in choices]
    rows.append([_button(rt.BTN_BROWSE, "browse", draft, "0")])
    rows.append([_button(rt.BTN_BACK_TO_PREVIEW, "back", draft)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def directory_page(draft: str, choices: list[DepartmentChoice], page: int) -> InlineKeyboardMarkup:
    pages = max(1, -(-len(choices) // DEPARTMENTS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = choices[page * DEPARTMENTS_PER_PAGE : (page + 1) * DEPARTMENTS_PER_PAGE]
    rows = [[_button(choice.name, "department", draft, choice.code)] for choice in shown]
    paging = []
    if page > 0:
        paging.append(_button(rt.BTN_PREV_PAGE, "browse", draft, str(page - 1)))
    if page < pages - 1:
        paging.append(_button(rt.BTN_NEXT_PAGE, "browse", draft, str(page + 1)))
    if paging:
        rows.append(paging)
    rows.append([_button(rt.BTN_BACK_TO_PREVIEW, "back", draft)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def my_page(page: ReportPage) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(
                text=rt.report_button(item.number, item.summary),
                callback_data=MyAction(action="view", report_id=item.id, page=page.page).pack(),
            )
        ]
        for item in page.items
    ]
    paging = []
    if page.page > 0:
        paging.append(_my(rt.BTN_PREV_PAGE, "page", page=page.page - 1))
    if page.page < page.pages - 1:
        paging.append(_my(rt.BTN_NEXT_PAGE, "page", page=page.page + 1))
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def my_detail(detail: ReportDetail, page: int) -> InlineKeyboardMarkup:
    rows = []
    if detail.photo_count:
        rows.append([_my(rt.photos_button(detail.photo_count), "photos", detail.id, page)])
    if detail.can_withdraw:
        rows.append([_my(rt.BTN_WITHDRAW, "withdraw", detail.id, page)])
    if detail.can_urge:
        rows.append([_my(ratings_text.BTN_URGE, "urge", detail.id, page)])
    rows.append([_my(rt.BTN_BACK_TO_LIST, "page", page=page)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def my_withdraw_confirm(report_id: int, page: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_my(rt.BTN_CONFIRM_WITHDRAW, "withdraw_ok", report_id, page)],
            [_my(rt.BTN_CANCEL, "view", report_id, page)],
        ]
    )


def _my(text: str, action: str, report_id: int = 0, page: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=MyAction(action=action, report_id=report_id, page=page).pack()
    )
