"""POST /hotline/callback: the intake's signed status events, checked and handed to the service."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.hotline.http.adapter import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, verify
from bot.services.notices import Notifier
from bot.services.tickets.updates import HotlineEvent, TicketUpdateService
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

CALLBACK_PATH = "/hotline/callback"


class PayloadError(ValueError):
    pass


def _text(payload: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise PayloadError(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{name} must be a string")
    return value


def _moment(payload: dict[str, Any], name: str) -> datetime | None:
    """An optional ISO 8601 time with its offset (the deadline of a 延期 event)."""
    text = _text(payload, name)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise PayloadError(f"{name} must be ISO 8601") from error
    if value.tzinfo is None:
        raise PayloadError(f"{name} must carry an offset")
    return value.astimezone(UTC)


def parse_event(payload: Any) -> HotlineEvent:
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    occurred = _text(payload, "occurred_at")
    try:
        occurred_at = datetime.fromisoformat(occurred) if occurred else datetime.now(UTC)
    except ValueError as error:
        raise PayloadError("occurred_at must be ISO 8601") from error
    if occurred_at.tzinfo is None:
        raise PayloadError("occurred_at must carry an offset")
    return HotlineEvent(
        event_id=_text(payload, "event_id", required=True) or "",
        external_id=_text(payload, "ticket_id", required=True) or "",
        status=_text(payload, "status", required=True) or "",
        occurred_at=occurred_at.astimezone(UTC),
        report_number=_text(payload, "report_number"),
        action=_text(payload, "action"),
        note=_text(payload, "note"),
        answer=_text(payload, "answer"),
        department_code=_text(payload, "department_code"),
        operator=_text(payload, "operator"),
        expected_at=_moment(payload, "expected_at"),
    )


def callback_routes(
    uow_factory: UnitOfWorkFactory, secret: str, notifier: Notifier, *, adapter: str = "http"
) -> list[web.RouteDef]:
    """Routes for the bot's one web app: `app.add_routes(callback_routes(...))`."""
    service = TicketUpdateService(uow_factory, notifier, adapter)

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            verify(
                secret,
                request.headers.get(TIMESTAMP_HEADER),
                request.headers.get(SIGNATURE_HEADER),
                body,
            )
        except SignatureError as error:
            log.warning("hotline callback refused: %s", error)
            return web.json_response({"error": str(error)}, status=401)
        try:
            event = parse_event(json.loads(body))
        except (ValueError, UnicodeDecodeError) as error:  # PayloadError is a ValueError
            return web.json_response({"error": f"bad payload: {error}"}, status=400)
        outcome = await service.process(event)
        if not outcome.known:
            # 404 makes the sender retry: the ticket may be recorded by then.
            return web.json_response({"error": "unknown ticket"}, status=404)
        return web.json_response(
            {"ok": True, "duplicate": not outcome.recorded, "status": outcome.report_status}
        )

    return [web.post(CALLBACK_PATH, receive)]
