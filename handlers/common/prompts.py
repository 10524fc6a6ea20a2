"""The one rule for buttons in a conversation: only the message that asks the current question
has live buttons. Asking the next thing, ending the conversation (submit, cancel, /start) or
pressing a button that is no longer current takes the older buttons away, on every path.

The live prompt is kept in the chat's FSM data (`prompt`), so the rule holds across restarts.
A prompt may carry the markup to put back when it is given up rather than answered (不满意
waits for a reason: given up, the rating buttons return to the 已答复 notice)."""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

PROMPT_KEY = "prompt"
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


async def ask(
    message: Message, state: FSMContext, text: str, markup: Markup | None = None
) -> Message:
    """Sends the next question to the chat of `message`; its inline buttons become the live
    ones and the previous prompt's buttons go."""
    await retire(state, message.bot)
    sent = await message.answer(text, reply_markup=markup)
    if isinstance(markup, InlineKeyboardMarkup):
        await track(state, sent)
    return sent


async def track(
    state: FSMContext, message: Message, restore: InlineKeyboardMarkup | None = None
) -> None:
    """`message` now holds the live buttons (or, with `restore`, waits to get them back)."""
    entry: dict[str, Any] = {"chat": message.chat.id, "message": message.message_id}
    if restore is not None:
        entry["restore"] = restore.model_dump(mode="json", exclude_none=True)
    await state.update_data({PROMPT_KEY: entry})


async def live_message_id(state: FSMContext) -> int | None:
    """The id of the message whose buttons are live, if one is."""
    entry = (await state.get_data()).get(PROMPT_KEY)
    return int(entry["message"]) if entry else None


async def retire(state: FSMContext, bot: Bot | None) -> None:
    """The live prompt's buttons go (or come back, for a prompt given up)."""
    data = await state.get_data()
    entry = data.get(PROMPT_KEY)
    if not entry or bot is None:
        return
    await state.update_data({PROMPT_KEY: None})
    restore = entry.get("restore")
    markup = InlineKeyboardMarkup.model_validate(restore) if restore else None
    await _set_buttons(bot, entry["chat"], entry["message"], markup)


async def forget(state: FSMContext) -> None:
    """The prompt was answered and its buttons already dealt with."""
    await state.update_data({PROMPT_KEY: None})


async def finish(state: FSMContext, bot: Bot | None) -> None:
    """The conversation ended: the live buttons go with its state."""
    await retire(state, bot)
    await state.clear()


async def drop_buttons(message: Message) -> None:
    """A finished or stale message's buttons go (it may have none left, or be gone)."""
    if message.reply_markup is not None and message.bot is not None:
        await _set_buttons(message.bot, message.chat.id, message.message_id, None)


async def _set_buttons(
    bot: Bot, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None
) -> None:
    # Deleted by the user, or already without buttons: nothing left to take away.
    with contextlib.suppress(TelegramBadRequest):
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
