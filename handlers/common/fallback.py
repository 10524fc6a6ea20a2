"""Last router: whatever no feature handled gets a clear Chinese answer, never silence."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.services.deputies.view import DeputyView
from handlers.common.filters import has_text
from handlers.common.keyboards import contact_request, main_menu


async def unhandled_text(message: Message, deputy: DeputyView | None) -> None:
    text = (message.text or "").strip()
    if not text:
        await message.answer(texts.EMPTY_TEXT)
    elif text.startswith("/"):
        await message.answer(texts.UNKNOWN_COMMAND)
    elif deputy is None:
        await message.answer(texts.NOT_BOUND, reply_markup=contact_request())
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
