"""Global error handler: the user hears back in Chinese; the log keeps the update id and trace."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import ErrorEvent

from bot import texts

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, bot: Bot) -> None:
    update = event.update
    log.error("update %s failed", update.update_id, exc_info=event.exception)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ERROR, show_alert=True)
        elif update.message is not None:
            await bot.send_message(update.message.chat.id, texts.ERROR)
    except Exception:  # the apology itself failed (e.g. Telegram down): the log has the cause
        log.warning("could not tell the user about update %s failing", update.update_id)


def setup() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
