"""POST /hotline/callback: the intake's signed status events, checked and handed to the service."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.core import metrics
from bot.services.notices import Notifier
from bot.services.tickets.updates import HotlineEvent, TicketUpdateService
from protocol.signing import SignatureError, verify
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

CALLBACK_PATH = "/hotline/callback"
# The statuses of our JSON API (intake/openapi.yaml); anything else is refused, never stored.
STATUSES = frozenset(
    {
        "已提交",
        "已受理",
        "已派单",
        "办理中",
        "已答复",
        "已办结",
        "退回",
        "改派",
        "已撤回",
        "已重办",
    }
)
# Longest value per field (characters): ids as the columns hold them, texts as the intake's.
LIMITS = {
    "event_id": 128,
    "ticket_id": 128,
    "report_number": 32,
    "status": 16,
    "action": 32,
    "department_code": 32,
    "operator": 128,
    "note": 5000,
    "answer": 5000,
    "occurred_at": 40,
    "expected_at": 40,
}
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


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
    if len(value) > LIMITS[name]:
        raise PayloadError(f"{name} is longer than {LIMITS[name]} characters")
    if any("\ud800" <= ch <= "\udfff" for ch in value):  # "\ud800" in JSON: not text
        raise PayloadError(f"{name} is not valid Unicode text")
    return value


def _moment(payload: dict[str, Any], name: str) -> datetime | None:
    """An optional ISO 8601 time with its offset, between 2000 and 2100."""
    text = _text(payload, name)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise PayloadError(f"{name} must be ISO 8601") from error
    if value.tzinfo is None:
        raise PayloadError(f"{name} must carry an offset")
    try:
        moment = value.astimezone(UTC)
    except OverflowError as error:  # 0001-01-01 with a positive offset
        raise PayloadError(f"{name} is out of range") from error
    if not EARLIEST <= moment < LATEST:
        raise PayloadError(f"{name} is out of range")
    return moment


def parse_event(payload: Any) -> HotlineEvent:
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    status = _text(payload, "status", required=True) or ""
    if status not in STATUSES:
        raise PayloadError(f"unknown status {status!r}")
    occurred_at = _moment(payload, "occurred_at") or datetime.now(UTC)
    return HotlineEvent(
        event_id=_text(payload, "event_id", required=True) or "",
        external_id=_text(payload, "ticket_id", required=True) or "",
        status=status,
        occurred_at=occurred_at,
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
            verify(secret, request.method, request.raw_path, request.headers, body)
        except SignatureError as error:
            log.warning("hotline callback refused: %s", error)
            return web.json_response({"error": str(error)}, status=401)
        if request.content_type != "application/json":
            return web.json_response(
                {"error": "Content-Type must be application/json"}, status=415
            )
        try:
            event = parse_event(json.loads(body))
        except PayloadError as error:
            return web.json_response({"error": f"bad payload: {error}"}, status=422)
        except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, nested too deep
            return web.json_response({"error": f"bad payload: {type(error).__name__}"}, status=400)
        outcome = await service.process(event)
        if not outcome.known:
            # 404 makes the sender retry: the ticket may be recorded by then.
            return web.json_response({"error": "unknown ticket"}, status=404)
        return web.json_response(
            {"ok": True, "duplicate": not outcome.recorded, "status": outcome.report_status}
        )

    async def counted(request: web.Request) -> web.Response:
        response = await receive(request)
        metrics.callback(accepted=response.status < 300)
        return response

    return [web.post(CALLBACK_PATH, counted)]
