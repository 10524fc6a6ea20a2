"""Tells a deputy something outside of a conversation (hotline status changes), via the bot:
the service's typed notice in words (bot/texts/notices.py), with its buttons."""

from __future__ import annotations

from aiogram import Bot

from bot.services.feedback.recurrence import RecurrenceQuestion
from bot.services.notices import AdminAlert, DeputyNotice, StatusChanged
from bot.texts import alerts
from bot.texts.notices import render
from bot.texts.recurrence import recurrence_question
from handlers.feedback.rating_keyboards import rating_buttons
from handlers.feedback.recurrence_keyboards import recurrence_buttons


class TelegramNotifier:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def notify(self, telegram_user_id: int, notice: DeputyNotice) -> None:
        rating = notice.rating if isinstance(notice, StatusChanged) else None
        markup = rating_buttons(rating.report_id, rating.round) if rating is not None else None
        await self._bot.send_message(telegram_user_id, render(notice), reply_markup=markup)

    async def ask_recurrence(self, telegram_user_id: int, question: RecurrenceQuestion) -> None:
        """The 复发 回访 question with its 已解决 / 复发了 buttons."""
        markup = recurrence_buttons(question)
        text = recurrence_question(question)
        await self._bot.send_message(telegram_user_id, text, reply_markup=markup)


class TelegramAlerts:
    """The staff's alert group (ALERTS_CHAT_ID)."""

    def __init__(self, bot: Bot, chat_id: int) -> None:
        self._bot = bot
        self._chat_id = chat_id

    async def alert(self, alert: AdminAlert) -> None:
        await self._bot.send_message(self._chat_id, alerts.render(alert))
