"""Tells a deputy something outside of a conversation (hotline status changes), via the bot."""

from __future__ import annotations

from aiogram import Bot


class TelegramNotifier:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def notify(self, telegram_user_id: int, text: str) -> None:
        await self._bot.send_message(telegram_user_id, text)
