"""The bot's aiogram routers, by feature, and the one place that puts them in order.

Handlers parse an update, call one service and render its result; they receive their services
as typed parameters from `ServicesMiddleware` (see `service_providers`), never build them."""

from __future__ import annotations

from aiogram import Router

from bot.services.feedback.ratings import RatingService
from bot.services.feedback.recurrence import RecurrenceService
from bot.services.feedback.urging import UrgeService
from bot.services.reporting.filing import Classifier, ReportService
from bot.services.reporting.history import ReportHistoryService
from bot.services.reporting.photos import PhotoStore
from handlers.common import errors, fallback
from handlers.deputies import account, verification
from handlers.feedback import ratings, recurrence
from handlers.middlewares import DeputyRequiredMiddleware, Provider
from handlers.reporting import flow, my_reports


def setup() -> Router:
    router = Router(name="handlers")
    router.include_routers(
        errors.setup(),
        verification.setup(),
        account.setup(),
        deputies_only(),
        fallback.setup(),  # must stay last
    )
    return router


def deputies_only() -> Router:
    """Reporting and feedback, reachable only by verified deputies (the gate)."""
    router = Router(name="deputies_only")
    gate = DeputyRequiredMiddleware()
    router.message.middleware(gate)
    router.callback_query.middleware(gate)
    router.include_routers(
        my_reports.setup(),
        flow.setup(),
        ratings.setup(),  # after the commands: /my still works while a reason is asked
        recurrence.setup(),
    )
    return router


def service_providers(
    classifier: Classifier, photo_store: PhotoStore, *, unsure_to_hotline: bool = True
) -> dict[str, Provider]:
    """Handler parameter name → how its service is built on the update's unit of work."""
    return {
        "reports": lambda data: ReportService(
            data["uow"], classifier, photo_store, unsure_to_hotline=unsure_to_hotline
        ),
        "history": lambda data: ReportHistoryService(data["uow"]),
        "urging": lambda data: UrgeService(data["uow"]),
        "ratings": lambda data: RatingService(data["uow"]),
        "recurrence": lambda data: RecurrenceService(data["uow"]),
    }
