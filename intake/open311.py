"""Open311 GeoReport v2 facade at /open311/v2 over the same tickets (JSON format only)."""

from __future__ import annotations

import hmac
import json
import math
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from intake import workflow
from intake.context import CTX, Context, json_response, media_url
from intake.new_ticket import NewTicket
from intake.open311_quirks import STAMP_GAP_MICROSECONDS
from intake.timeutil import CHINA_TZ, parse_iso, to_iso, utcnow
from intake.validation import APPEAL_TYPES, URGENCIES

PREFIX = "/open311/v2"
# The optional attributes every service declares (services/{code}.json), and reads.
OUR_ATTRIBUTES = {
    "idempotency_key": "幂等键：同一键只建一张工单",
    "report_number": "人大代表反映编号",
    "summary": "摘要",
    "appeal_type": "诉求类型",
    "urgency": "紧急程度",
    "district": "区县",
    "town": "乡镇/街道",
    "reporter_level": "代表层级",
    "reporter_station": "代表联络站",
    "routing_department": "建议承办单位",
    "routing_confidence": "分派把握",
    "routing_unsure": "待确认",
}
# What a Django server in production answers for an exception (no JSON at all).
SERVER_ERROR_PAGE = (
    '<!doctype html><html lang="en"><head><title>Server Error (500)</title></head>'
    "<body><h1>Server Error (500)</h1><p></p></body></html>\n" + "<!-- padding -->" * 40
)
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)  # spec: without dates, the last 90 days
# Form fields with a column limit (PostgreSQL enforces them): name → max characters.
MAX_LENGTHS = {
    "address_string": 255,
    "phone": 32,
    "email": 128,
    "first_name": 32,
    "last_name": 32,
    "attribute[summary]": 200,
    "attribute[report_number]": 64,
    "attribute[district]": 64,
    "attribute[town]": 64,
    "attribute[reporter_level]": 32,
    "attribute[reporter_station]": 128,
    "attribute[idempotency_key]": 128,
}
# An offset whose '+' arrived as a space (an unencoded '+' in a query string).
_SPACED_OFFSET = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def errors(status: int, description: str) -> web.Response:
    """GeoReport v2 error shape: a list of {code, description}."""
    return json_response([{"code": status, "description": description}], status=status)


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """aiohttp's own 404/405/413 answers are text/plain: give them the GeoReport shape."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        if error.status < 400 or not request.path.startswith(PREFIX + "/"):
            raise
        response = errors(error.status, error.reason)
    if request.app[CTX].settings.open311_quirks.errors_as_objects:
        return _as_object(response)
    return response


def _as_object(response: web.StreamResponse) -> web.StreamResponse:
    """An error as one {"code", "detail"} object (what the Helsinki server answers)."""
    if response.status < 400 or not isinstance(response, web.Response) or not response.text:
        return response
    try:
        data = json.loads(response.text)
    except ValueError:
        return response
    if isinstance(data, list) and data and isinstance(data[0], dict):
        detail = {"code": data[0].get("code"), "detail": data[0].get("description")}
        return json_response(detail, status=response.status)
    return response


def _check_format(request: web.Request) -> web.Response | None:
    if request.match_info.get("fmt") != "json":
        return errors(400, "仅支持 JSON 格式 (only .json is supported)")
    jurisdiction = request.query.get("jurisdiction_id")
    if jurisdiction and jurisdiction != request.app[CTX].settings.jurisdiction_id:
        return errors(404, f"unknown jurisdiction_id: {jurisdiction}")
    return None


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _updated_iso(ctx: Context, ticket: Mapping[Any, Any]) -> str | None:
    created, updated = ticket["created_at"], ticket["updated_at"]
    if ctx.settings.open311_quirks.stamps_apart and updated is not None and updated == created:
        # Two now() calls on create, microseconds apart: never touched, yet "later".
        later = updated + timedelta(microseconds=STAMP_GAP_MICROSECONDS)
        return later.replace(tzinfo=UTC).astimezone(CHINA_TZ).isoformat(timespec="microseconds")
    return to_iso(updated)


def authenticated(ctx: Context, sent: str | None) -> bool:
    """The client sent the configured api_key (compared in constant time)."""
    key = ctx.settings.open311_api_key
    return bool(key and sent and hmac.compare_digest(sent.encode(), key.encode()))


def request_json(
    ctx: Context, base: str, ticket: Mapping[Any, Any], *, private: bool = False
) -> dict[str, Any]:
    """One service request; its `description` (the resident's own words, names and phone
    numbers included) only for a client that sent the api_key (`private`)."""
    department = ctx.directory.get(ticket["department_code"])
    media = list(ticket["media"] or [])
    return {
        "service_request_id": ticket["ticket_no"],
        "status": workflow.open311_status(ticket["status"]),
        "status_notes": ticket["last_note"],
        "service_name": department.name if department else ticket["department_code"],
        "service_code": ticket["department_code"],
        "description": ticket["text"] if private else None,
        "agency_responsible": department.name if department else None,
        "service_notice": f"工单状态：{ticket['status']}",
        "requested_datetime": to_iso(ticket["created_at"]),
        "updated_datetime": _updated_iso(ctx, ticket),
        "expected_datetime": to_iso(ticket["expected_at"]),
        "address": ticket["address"],
        "address_id": None,
        "zipcode": None,
        "lat": ticket["lat"],
        "long": ticket["long"],
        "media_url": media_url(base, ticket["ticket_no"], media[0], 1) if media else None,
    }


async def list_services(request: web.Request) -> web.Response:
    if (bad := _check_format(request)) is not None:
        return bad
    quirks = request.app[CTX].settings.open311_quirks
    return json_response(
        [
            {
                "service_code": d.code,
                "service_name": d.name,
                "description": f"{d.category}：{d.name}" if d.category else d.name,
                # The definition declares the attributes we read (a server without
                # definitions has none to declare).
                "metadata": not quirks.no_service_definitions,
                "type": "realtime",
                "keywords": ",".join(d.keywords),
                "group": d.category,
            }
            for d in request.app[CTX].directory
        ]
    )


async def service_definition(request: web.Request) -> web.Response:
    if (bad := _check_format(request)) is not None:
        return bad
    quirks = request.app[CTX].settings.open311_quirks
    if quirks.no_service_definitions:
        return errors(404, "Not Found")
    code = request.match_info["code"]
    if request.app[CTX].directory.get(code) is None:
        return errors(404, f"unknown service_code: {code}")
    required = quirks.required_attributes.get(code, ())
    names = [*OUR_ATTRIBUTES, *(n for n in required if n not in OUR_ATTRIBUTES)]
    attributes = [
        {
            "variable": True,
            "code": name,
            "datatype": "string",
            "required": name in required,
            "datatype_description": None,
            "order": order,
            "description": OUR_ATTRIBUTES.get(name, name),
        }
        for order, name in enumerate(names, start=1)
    ]
    return json_response({"service_code": code, "attributes": attributes})


def _float(form: Mapping[str, str], name: str, limit: float) -> float | None:
    value = (form.get(name) or "").strip()
    if not value:
        return None
    number = float(value)  # ValueError → 400 by the caller
    if not math.isfinite(number) or abs(number) > limit:
        raise ValueError(name)
    return number


async def create_request(request: web.Request) -> web.Response:
    if (bad := _check_format(request)) is not None:
        return bad
    ctx = request.app[CTX]
    try:
        form = await request.post()
    except (ValueError, LookupError, AssertionError):  # not UTF-8, bad charset, multipart
        return errors(400, "请求体无法解析 (body is not a readable form)")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not ctx.settings.open311_open and not authenticated(ctx, fields.get("api_key")):
        if not ctx.settings.open311_api_key:
            return errors(403, "Open311 提交未开放：未配置 OPEN311_API_KEY (POST is closed)")
        return errors(403, "api_key 缺失或无效 (missing or invalid api_key)")
    jurisdiction = fields.get("jurisdiction_id")
    if jurisdiction and jurisdiction != ctx.settings.jurisdiction_id:
        return errors(404, f"unknown jurisdiction_id: {jurisdiction}")
    for key, limit in MAX_LENGTHS.items():
        if len((fields.get(key) or "").strip()) > limit:
            return errors(400, f"{key} is longer than {limit} characters")
    media = (fields.get("media_url") or "").strip()
    if media and not media.lower().startswith(("http://", "https://")):
        return errors(400, "media_url must be an http(s) URL")
    code = (fields.get("service_code") or "").strip()
    if not code:
        return errors(400, "service_code is required")
    if ctx.directory.get(code) is None:
        return errors(404, f"unknown service_code: {code}")
    description = (fields.get("description") or "").strip()
    if not description:
        return errors(400, "description is required")
    try:
        lat, long = _float(fields, "lat", 90), _float(fields, "long", 180)
    except ValueError:
        return errors(400, "lat/long must be numbers within range")
    address = (fields.get("address_string") or "").strip() or None
    if (lat is None or long is None) and not address and not fields.get("address_id"):
        return errors(400, "a location is required: lat & long, address_string or address_id")
    quirks = ctx.settings.open311_quirks
    if quirks.coordinates_required and (lat is None or long is None):
        return web.Response(status=500, text=SERVER_ERROR_PAGE, content_type="text/html")
    ours = () if quirks.no_service_definitions else tuple(OUR_ATTRIBUTES)
    declared = (*ours, *quirks.required_attributes.get(code, ()))
    for wanted in quirks.required_attributes.get(code, ()):
        if not (fields.get(f"attribute[{wanted}]") or "").strip():
            return errors(400, f"attribute[{wanted}] is required for service {code}")
    if quirks.strict_attributes:
        extra = sorted(
            k for k in fields if k.startswith("attribute[") and k[10:-1] not in declared
        )
        if extra:
            return errors(400, f"undeclared attributes: {', '.join(extra)}")

    def attribute(name: str) -> str | None:
        return (fields.get(f"attribute[{name}]") or "").strip() or None

    urgency = attribute("urgency")
    appeal_type = attribute("appeal_type")
    name = "".join(p for p in (fields.get("last_name"), fields.get("first_name")) if p) or None
    new = NewTicket(
        # No idempotency in GeoReport v2; attribute[idempotency_key] lets a client opt in.
        idempotency_key=(None if quirks.ignore_idempotency_key else attribute("idempotency_key"))
        or f"open311-{uuid.uuid4().hex}",
        source="open311",
        department_code=code,
        summary=attribute("summary") or description[:40],
        text=description[:5000],
        report_number=attribute("report_number"),
        appeal_type=appeal_type if appeal_type in APPEAL_TYPES else "求助",
        urgency=urgency if urgency in URGENCIES else "一般",
        district=attribute("district"),
        town=attribute("town"),
        address=address,
        lat=lat,
        long=long,
        reporter_name=name,
        reporter_phone=(fields.get("phone") or "").strip() or None,
        reporter_email=(fields.get("email") or "").strip() or None,
        reporter_level=attribute("reporter_level"),
        reporter_station=attribute("reporter_station"),
        media_urls=[media] if media else [],
    )
    ticket, created = await ctx.store.create(new)
    notice = "工单已提交，等待 12345 热线受理。"
    if ctx.settings.open311_mode == "direct" or quirks.no_tokens:
        body: dict[str, Any] = {"service_request_id": ticket["ticket_no"]}
    else:
        token = None if created else await ctx.tokens.token_for_ticket(ticket["id"])
        if token is None:
            token = await ctx.tokens.create_token(ticket["id"], ctx.settings.open311_token_delay_s)
        body = {"token": token}
    body.update(service_notice=notice, account_id=None)
    return json_response([body])


async def resolve_token(request: web.Request) -> web.Response:
    if (bad := _check_format(request)) is not None:
        return bad
    if request.app[CTX].settings.open311_quirks.no_tokens:
        return errors(404, "Not Found")
    token = request.match_info["token"]
    known, ticket_no = await request.app[CTX].tokens.resolve_token(token)
    if not known:
        return errors(404, f"unknown token: {token}")
    return json_response([{"service_request_id": ticket_no, "token": token}])


async def get_request(request: web.Request) -> web.Response:
    if (bad := _check_format(request)) is not None:
        return bad
    ctx = request.app[CTX]
    ticket = await ctx.store.get(request.match_info["request_id"])
    if ticket is None:
        return errors(404, "service request not found")
    private = authenticated(ctx, request.query.get("api_key"))
    return json_response([request_json(ctx, _base(request), ticket, private=private)])


async def list_requests(request: web.Request) -> web.Response:
    if (bad := _check_format(request)) is not None:
        return bad
    ctx = request.app[CTX]
    query = request.query
    wanted_ids = ",".join(query.getall("service_request_id", []))  # a,b or repeated
    ids = [i.strip() for i in wanted_ids.split(",") if i.strip()]
    if ids:  # spec: with service_request_id, the other filters are ignored
        rows = await ctx.store.list(ticket_nos=ids[:MAX_RESULTS], limit=MAX_RESULTS)
    else:
        statuses: set[str] = set()
        for wanted in (s.strip() for s in query.get("status", "").split(",") if s.strip()):
            if wanted not in ("open", "closed"):
                return errors(400, "status must be open and/or closed")
            statuses.update(
                s for s in workflow.ALL_STATUSES if workflow.open311_status(s) == wanted
            )
        try:
            start, end = _date(query, "start_date"), _date(query, "end_date")
        except ValueError:
            return errors(400, "start_date/end_date must be ISO 8601")
        if start is None and end is None:
            start = utcnow() - DEFAULT_WINDOW
        rows = await ctx.store.list(
            department=query.get("service_code") or None,
            statuses=sorted(statuses) or None,
            start=start,
            end=end,
            limit=MAX_RESULTS,
        )
    private = authenticated(ctx, query.get("api_key"))
    base = _base(request)
    return json_response([request_json(ctx, base, row, private=private) for row in rows])


def _date(query: Mapping[str, str], name: str) -> datetime | None:
    """ISO 8601 from the query; a '+' sent unencoded arrives as a space and is put back."""
    text = (query.get(name) or "").strip()
    return parse_iso(_SPACED_OFFSET.sub(r"\1+\2", text)) if text else None


def setup(app: web.Application) -> None:
    fmt = "{fmt:[A-Za-z]+}"
    app.router.add_get(f"{PREFIX}/services.{fmt}", list_services)
    app.router.add_get(f"{PREFIX}/services/{{code}}.{fmt}", service_definition)
    app.router.add_post(f"{PREFIX}/requests.{fmt}", create_request)
    app.router.add_get(f"{PREFIX}/requests.{fmt}", list_requests)
    app.router.add_get(f"{PREFIX}/requests/{{request_id}}.{fmt}", get_request)
    app.router.add_get(f"{PREFIX}/tokens/{{token}}.{fmt}", resolve_token)
