"""Help, /whoami, /cancel and /unbind."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
)

from bot import texts
from bot.services.deputies.verification import DeputyService
from bot.services.deputies.view import DeputyView
from handlers.common import prompts
from handlers.common.filters import text_is
from handlers.common.keyboards import main_menu, not_verified


class UnbindAction(CallbackData, prefix="unb"):
    user_id: int  # whose binding: a forwarded keyboard must not unbind someone else
    confirm: bool


async def show_help(
    message: Message, deputy: DeputyView | None, deactivated: bool = False
) -> None:
    keyboard = main_menu() if deputy else not_verified(deactivated)[1]
    await message.answer(texts.HELP, reply_markup=keyboard)


async def whoami(message: Message, deputy: DeputyView | None, deactivated: bool = False) -> None:
    if deputy is None:
        text, keyboard = not_verified(deactivated)
        await message.answer(text, reply_markup=keyboard)
        return
    await message.answer(texts.whoami(deputy))


async def cancel(message: Message, state: FSMContext, deputy: DeputyView | None, bot: Bot) -> None:
    await prompts.finish(state, bot)
    await message.answer("已取消当前操作。", reply_markup=main_menu() if deputy else None)


async def ask_unbind(
    message: Message, deputy: DeputyView | None, deactivated: bool = False
) -> None:
    if deputy is None or message.from_user is None:
        refusal, reply = not_verified(deactivated)
        await message.answer(refusal, reply_markup=reply)
        return
    user_id = message.from_user.id
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=texts.BTN_CONFIRM_UNBIND,
                    callback_data=UnbindAction(user_id=user_id, confirm=True).pack(),
                ),
                InlineKeyboardButton(
                    text=texts.BTN_CANCEL,
                    callback_data=UnbindAction(user_id=user_id, confirm=False).pack(),
                ),
            ]
        ]
    )
    await message.answer(texts.UNBIND_CONFIRM, reply_markup=keyboard)


async def unbind_pressed(
    query: CallbackQuery,
    callback_data: UnbindAction,
    deputies: DeputyService,
    state: FSMContext,
) -> None:
    if callback_data.user_id != query.from_user.id:
        await query.answer(texts.NOT_YOUR_BUTTON, show_alert=True)
        return
    if not callback_data.confirm:
        await query.answer()
        await _close_prompt(query, texts.UNBIND_CANCELLED)
        return
    unbound = await deputies.unbind(query.from_user.id)
    if unbound is None:  # pressed twice, or unbound elsewhere meanwhile
        await query.answer(texts.STALE_BUTTON)
        return
    await prompts.finish(state, query.bot)
    await query.answer()
    await _close_prompt(query, texts.UNBIND_DONE)
    if isinstance(query.message, Message):
        await query.message.answer(texts.REVERIFY_HINT, reply_markup=ReplyKeyboardRemove())


async def _close_prompt(query: CallbackQuery, text: str) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=None)


def setup() -> Router:
    router = Router(name="account")
    router.message.register(show_help, Command("help"))
    router.message.register(show_help, text_is(texts.BTN_HELP))
    router.message.register(whoami, Command("whoami"))
    router.message.register(cancel, Command("cancel"))
    router.message.register(ask_unbind, Command("unbind"))
    router.callback_query.register(unbind_pressed, UnbindAction.filter())
    return router
