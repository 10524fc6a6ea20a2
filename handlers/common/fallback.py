"""Last router: whatever no feature handled gets a clear Chinese answer, never silence."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.core.text_input import clean, is_blank
from bot.services.deputies.view import DeputyView
from classifiers import Emergency
from handlers.common.filters import has_text
from handlers.common.keyboards import main_menu, not_verified


async def unhandled_text(
    message: Message,
    deputy: DeputyView | None,
    deactivated: bool = False,
    danger: Emergency | None = None,
) -> None:
    text = clean(message.text)
    if is_blank(text):
        await message.answer(texts.EMPTY_TEXT)
    elif text.startswith("/"):
        await message.answer(texts.UNKNOWN_COMMAND)
    elif deputy is None:
        text, keyboard = not_verified(deactivated)
        await message.answer(text, reply_markup=keyboard)
    elif danger is not None:  # the advice went first; a report may follow once people are safe
        await message.answer(texts.DANGER_FOLLOW_UP, reply_markup=main_menu())
    else:
        await message.answer(texts.MAIN_MENU_HINT, reply_markup=main_menu())


async def unhandled_content(message: Message) -> None:
    await message.answer(texts.UNSUPPORTED_CONTENT)


async def unhandled_callback(query: CallbackQuery) -> None:
    await query.answer(texts.STALE_BUTTON)


def setup() -> Router:
    router = Router(name="fallback")
    router.message.register(unhandled_text, has_text)
    router.message.register(unhandled_content)
    router.callback_query.register(unhandled_callback)
    return router
