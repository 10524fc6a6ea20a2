"""The signed JSON API under /api/v1 (the contract is intake/openapi.yaml, served here too)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from intake import workflow
from intake.context import CTX, Context, json_response, media_url
from intake.new_ticket import NewTicket
from intake.store import NotFound
from intake.timeutil import parse_iso, to_iso
from intake.validation import ValidationFailed, parse_create
from intake.workflow import InputError
from protocol.signing import SignatureError, verify

PREFIX = "/api/v1"
OPENAPI_PATH = Path(__file__).with_name("openapi.yaml")
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_BATCH = 100  # tickets per batch create
UNSIGNED = {f"{PREFIX}/openapi.yaml"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return json_response({"error": message, **extra}, status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own 404/405/413 answers are text/plain: give them our JSON error shape."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if (
            error.status < 400
            or error.content_type == "application/json"
            or not request.path.startswith(PREFIX + "/")
        ):
            raise
        return _error(error.status, error.reason)


@web.middleware
async def signature_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /api/v1 call must be signed; checked before the handler touches anything."""
    if request.path.startswith(PREFIX) and request.path not in UNSIGNED:
        body = await request.read()
        try:
            verify(
                request.app[CTX].settings.secret,
                request.method,
                request.raw_path,
                request.headers,
                body,
            )
        except SignatureError as error:
            return _error(401, str(error))
    return await handler(request)


def ticket_json(ctx: Context, base: str, ticket: Mapping[Any, Any], events: Sequence[Any]) -> dict:
    media = list(ticket["media"] or [])
    return {
        "ticket_id": ticket["ticket_no"],
        "idempotency_key": ticket["idempotency_key"],
        "report_number": ticket["report_number"],
        "status": ticket["status"],
        "open311_status": workflow.open311_status(ticket["status"]),
        "department_code": ticket["department_code"],
        "department_name": ctx.directory.name_of(ticket["department_code"]),
        "summary": ticket["summary"],
        "text": ticket["text"],
        "appeal_type": ticket["appeal_type"],
        "urgency": ticket["urgency"],
        "district": ticket["district"],
        "town": ticket["town"],
        "address": ticket["address"],
        "latitude": ticket["lat"],
        "longitude": ticket["long"],
        "reporter": {
            "name": ticket["reporter_name"],
            "phone": ticket["reporter_phone"],
            "level": ticket["reporter_level"],
            "station": ticket["reporter_station"],
        },
        "photos": [
            {
                "filename": m.get("filename"),
                "content_type": m.get("content_type"),
                "size": m.get("size"),
                "url": media_url(base, ticket["ticket_no"], m, n),
            }
            for n, m in enumerate(media, start=1)
        ],
        "answer": ticket["answer"],
        "reopen_count": ticket["reopen_count"],
        "routing": ticket["routing"],
        "submitted_at": to_iso(ticket["submitted_at"]),
        "created_at": to_iso(ticket["created_at"]),
        "updated_at": to_iso(ticket["updated_at"]),
        "expected_at": to_iso(ticket["expected_at"]),
        "events": [event_json(e) for e in events],
    }


def event_json(event: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "event_id": event["event_id"],
        "action": event["action"],
        "status": event["status"],
        "note": event["note"],
        "answer": event["answer"],
        "operator": event["operator"],
        "department_code": event["department_code"],
        "expected_at": to_iso(event["expected_at"]),
        "occurred_at": to_iso(event["created_at"]),
    }


def _json_error(exception: type[web.HTTPException], message: str) -> web.HTTPException:
    return exception(text=json.dumps({"error": message}), content_type="application/json")


async def _json_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        return {}
    kind = request.content_type
    if kind != "application/json" and not kind.endswith("+json"):
        raise _json_error(
            web.HTTPUnsupportedMediaType, f"Content-Type must be application/json, not {kind}"
        )
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else error
        raise _json_error(web.HTTPBadRequest, f"invalid JSON: {reason}") from error


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def create_ticket(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
    if not key or len(key) > 128:
        return _error(400, "Idempotency-Key header is required (1-128 characters)")
    body = await _json_body(request)
    try:
        new = parse_create(body, key, ctx.directory)
    except ValidationFailed as error:
        return _error(422, f"validation failed: {error}", details=error.errors)
    ticket, created = await ctx.store.create(new)
    return json_response(
        _created_json(ticket),
        status=201 if created else 200,
        headers={"Location": f"{PREFIX}/tickets/{ticket['ticket_no']}"},
    )


def _created_json(ticket: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "ticket_id": ticket["ticket_no"],
        "status": ticket["status"],
        "created_at": to_iso(ticket["created_at"]),
    }


async def create_tickets_batch(request: web.Request) -> web.Response:
    """Up to MAX_BATCH creates in one call and one transaction, each item idempotent by its
    own `idempotency_key`; one result per item, in order, each with its own code."""
    ctx = request.app[CTX]
    batch_key = request.headers.get(IDEMPOTENCY_HEADER)
    if batch_key is not None and not 1 <= len(batch_key.strip()) <= 128:
        return _error(400, "Idempotency-Key header, when sent, must be 1-128 characters")
    body = await _json_body(request)
    items = body.get("tickets") if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        return _error(422, f'body must be {{"tickets": [...]}} with 1-{MAX_BATCH} tickets')
    results: list[dict[str, Any]] = [{} for _ in items]
    valid: list[tuple[int, NewTicket]] = []
    for index, item in enumerate(items):
        key = item.get("idempotency_key") if isinstance(item, dict) else None
        key = key.strip() if isinstance(key, str) else ""
        if not key or len(key) > 128:
            results[index] = {
                "idempotency_key": key or None,
                "code": 422,
                "error": "idempotency_key is required (1-128 characters)",
            }
            continue
        try:
            valid.append((index, parse_create(item, key, ctx.directory)))
        except ValidationFailed as error:
            results[index] = {
                "idempotency_key": key,
                "code": 422,
                "error": f"validation failed: {error}",
                "details": error.errors,
            }
    stored = await ctx.store.create_many([new for _, new in valid]) if valid else []
    for (index, new), (ticket, created) in zip(valid, stored, strict=True):
        results[index] = {
            "idempotency_key": new.idempotency_key,
            "code": 201 if created else 200,
            **_created_json(ticket),
        }
    return json_response({"results": results})


async def get_ticket(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    ticket = await ctx.store.get(request.match_info["ticket_id"])
    if ticket is None:
        return _error(404, "ticket not found")
    events = await ctx.store.events_for(ticket["id"])
    return json_response(ticket_json(ctx, _base(request), ticket, events))


# Actions that change the ticket's status: a retry must not apply them twice.
KEY_REQUIRED = frozenset({"reopen", "reroute", "withdraw", "supervise"})


async def _action(
    request: web.Request, action: str, text_field: str, *, dated: bool = False
) -> web.Response:
    ctx = request.app[CTX]
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip() or None
    if action in KEY_REQUIRED and not key:
        return _error(400, "Idempotency-Key header is required")
    body = await _json_body(request)
    if not isinstance(body, dict):
        return _error(422, "body must be a JSON object")
    for field in (text_field, "department_code", "operator"):
        if body.get(field) is not None and not isinstance(body[field], str):
            return _error(422, f"{field} must be a string")
    text = body.get(text_field)
    expected_at = None
    if dated:
        raw = body.get("expected_at")
        if not isinstance(raw, str) or not raw.strip():
            return _error(422, "expected_at is required (ISO 8601)")
        try:
            expected_at = parse_iso(raw)
        except ValueError:
            return _error(422, "expected_at must be an ISO 8601 date-time")
    try:
        ticket, event, applied = await ctx.store.act(
            request.match_info["ticket_id"],
            action,
            operator=str(body.get("operator") or "人大代表")[:64],
            note=text or ("代表催办" if action == "urge" else None),
            department_code=body.get("department_code") if action == "reroute" else None,
            expected_at=expected_at,
            idempotency_key=key,
        )
    except NotFound:
        return _error(404, "ticket not found")
    except workflow.TransitionError as error:
        return _error(409, str(error))
    except InputError as error:
        return _error(422, str(error))
    return json_response(
        {
            "ticket_id": ticket["ticket_no"],
            "status": ticket["status"],
            "reopen_count": ticket["reopen_count"],
            "event_id": event["event_id"],
            "replayed": not applied,
        }
    )


async def reopen_ticket(request: web.Request) -> web.Response:
    return await _action(request, "reopen", "reason")


async def urge_ticket(request: web.Request) -> web.Response:
    return await _action(request, "urge", "note")


async def reroute_ticket(request: web.Request) -> web.Response:
    return await _action(request, "reroute", "note")


async def withdraw_ticket(request: web.Request) -> web.Response:
    return await _action(request, "withdraw", "reason")


async def supervise_ticket(request: web.Request) -> web.Response:
    """人大督办: the 代表工委's formal notice; `expected_at` becomes the ticket's deadline."""
    return await _action(request, "supervise", "note", dated=True)


def setup(app: web.Application) -> None:
    document = OPENAPI_PATH.read_bytes()  # read once at start-up, not inside a handler

    async def openapi_document(_request: web.Request) -> web.Response:
        return web.Response(body=document, content_type="application/yaml", charset="utf-8")

    app.router.add_get(f"{PREFIX}/openapi.yaml", openapi_document)
    app.router.add_post(f"{PREFIX}/tickets", create_ticket)
    app.router.add_post(f"{PREFIX}/tickets/batch", create_tickets_batch)
    app.router.add_get(f"{PREFIX}/tickets/{{ticket_id}}", get_ticket)
    app.router.add_post(f"{PREFIX}/tickets/{{ticket_id}}/reopen", reopen_ticket)
    app.router.add_post(f"{PREFIX}/tickets/{{ticket_id}}/urge", urge_ticket)
    app.router.add_post(f"{PREFIX}/tickets/{{ticket_id}}/reroute", reroute_ticket)
    app.router.add_post(f"{PREFIX}/tickets/{{ticket_id}}/withdraw", withdraw_ticket)
    app.router.add_post(f"{PREFIX}/tickets/{{ticket_id}}/supervise", supervise_ticket)
