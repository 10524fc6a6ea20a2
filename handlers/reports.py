"""Report features, reachable only by verified deputies (the gate is the router's middleware)."""

from __future__ import annotations

from aiogram import Router

from bot.middlewares import DeputyRequiredMiddleware
from handlers import my_reports, ratings, recurrence, report_flow


def setup() -> Router:
    router = Router(name="reports")
    gate = DeputyRequiredMiddleware()
    router.message.middleware(gate)
    router.callback_query.middleware(gate)
    my_reports.register(router)
    report_flow.register(router)
    ratings.register(router)  # after the commands: /my still works while a reason is asked
    recurrence.register(router)
    return router
