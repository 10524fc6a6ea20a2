"""Report features: reachable only by verified deputies (the gate is the router's middleware)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot import texts
from bot.middlewares import DeputyRequiredMiddleware
from handlers.filters import text_is


async def start_report(message: Message) -> None:
    await message.answer(texts.REPORT_COMING)


async def my_reports(message: Message) -> None:
    await message.answer(texts.REPORT_COMING)


def setup() -> Router:
    router = Router(name="reports")
    gate = DeputyRequiredMiddleware()
    router.message.middleware(gate)
    router.callback_query.middleware(gate)
    router.message.register(start_report, Command("report"))
    router.message.register(start_report, text_is(texts.BTN_REPORT))
    router.message.register(my_reports, Command("my"))
    router.message.register(my_reports, text_is(texts.BTN_MY_REPORTS))
    return router
