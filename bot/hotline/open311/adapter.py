"""An Open311 GeoReport v2 server (open311.org) as a HotlineGateway.

Departments become `service_code`s by fuzzy-matching `services.json` against our department
names and aliases (rapidfuzz); a JSON file {our_code: service_code} overrides the guess.

Duplicates on retry: GeoReport v2 has no idempotency key. Every create carries our key as
`attribute[idempotency_key]` (and `attribute[report_number]`); the reference intake
(intake/open311.py) makes one request per such key and answers a repeat with the same token.
On top of that, a token this process already got for a key is remembered, so a retry whose
token had not resolved yet only polls `tokens/{token}.json` again and never POSTs twice. A
server that ignores the attribute can still make a duplicate when a POST's answer is lost in
transit (nothing in the standard can prevent that)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from rapidfuzz import fuzz, process, utils

from bot.hotline.gateway import (
    PermanentHotlineError,
    RoutingSuggestion,
    TemporaryHotlineError,
    TicketReceipt,
    TicketRequest,
)
from storage.models import ReportStatus

log = logging.getLogger(__name__)

ADAPTER = "open311"
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5, sock_read=20)
RETRYABLE_STATUSES = frozenset({408, 429})
SCORE_CUTOFF = 80.0
# GeoReport v2 requires a location; a report without one is filed at the city level.
DEFAULT_ADDRESS = "邵阳市"
# Tokens resolve when the server's queue gets to them: a few quick tries, then the outbox's
# own back-off takes over (the remembered token is polled again on the next attempt).
TOKEN_ATTEMPTS = 5
TOKEN_DELAY_S = 0.2


def load_mapping(path: Path | None) -> dict[str, str]:
    """The override file: {"ZJ": "021", ...}; missing file = no overrides."""
    if path is None or not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object {{our_code: service_code}}")
    return {str(k): str(v) for k, v in data.items()}


def match_services(
    department_names: Mapping[str, Iterable[str]],
    services: Iterable[Mapping[str, Any]],
    *,
    cutoff: float = SCORE_CUTOFF,
) -> dict[str, str]:
    """Our code → service_code. Service names are tried first; keywords, group and
    description only when no name scores above `cutoff`."""
    names: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    for service in services:
        code = str(service.get("service_code") or "")
        if not code:
            continue
        if service.get("service_name"):
            names.append((str(service["service_name"]), code))
        for field in ("group", "description"):
            if service.get(field):
                others.append((str(service[field]), code))
        keywords = service.get("keywords") or ""
        for keyword in str(keywords).replace("，", ",").split(","):
            if keyword.strip():
                others.append((keyword.strip(), code))
    mapping: dict[str, str] = {}
    for our_code, wanted in department_names.items():
        queries = [q for q in wanted if q and q.strip()]
        for choices in (names, others):
            best: tuple[float, str] | None = None
            texts = [text for text, _ in choices]
            for query in queries:
                hit = process.extractOne(
                    query,
                    texts,
                    scorer=fuzz.WRatio,
                    processor=utils.default_process,
                    score_cutoff=cutoff,
                )
                if hit is not None and (best is None or hit[1] > best[0]):
                    best = (hit[1], choices[hit[2]][1])
            if best is not None:
                mapping[our_code] = best[1]
                break
    return mapping


def split_name(name: str) -> tuple[str, str]:
    """(last_name, first_name): a Chinese name's first character is the surname."""
    name = name.strip()
    if " " in name:  # "Given Family" style
        first, _, last = name.rpartition(" ")
        return last, first
    return name[:1], name[1:]


def error_text(text: str) -> str:
    """The descriptions of a GeoReport error list, else the raw text."""
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(data, list):
        parts = [
            f"{item.get('code', '')}: {item.get('description', '')}".strip(": ")
            for item in data
            if isinstance(item, dict)
        ]
        if parts:
            return "; ".join(parts)[:500]
    return text[:300]


def unsure_note(routing: RoutingSuggestion, names: Mapping[str, list[str]]) -> str:
    """The line a dispatcher reads under an unsure report's description."""
    name = (names.get(routing.department_code) or [routing.department_code])[0]
    note = f"【建议承办单位（待确认）：{name}，把握 {routing.confidence:.0%}】"
    if routing.reasons:
        note += "依据：" + "；".join(routing.reasons[:3])
    return note


def routing_attributes(routing: RoutingSuggestion | None) -> dict[str, str | None]:
    """The router's suggestion as attributes (the reference intake reads them; others ignore)."""
    if routing is None:
        return {}
    return {
        "attribute[routing_department]": routing.department_code,
        "attribute[routing_confidence]": f"{routing.confidence:.3f}",
        "attribute[routing_unsure]": "true" if routing.unsure else "false",
    }


class Open311Adapter:
    """One per process, sharing the process's aiohttp.ClientSession."""

    adapter = ADAPTER

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        api_key: str | None,
        jurisdiction_id: str | None,
        department_names: Mapping[str, list[str]],
        mapping_file: Path | None = None,
        *,
        default_address: str | None = DEFAULT_ADDRESS,
        media_url_for: Callable[[TicketRequest], str | None] | None = None,
        token_attempts: int = TOKEN_ATTEMPTS,
        token_delay_s: float = TOKEN_DELAY_S,
        cutoff: float = SCORE_CUTOFF,
        unsure_service_code: str | None = None,
    ) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._jurisdiction_id = jurisdiction_id
        self._department_names = dict(department_names)
        self._mapping_file = mapping_file
        self._default_address = default_address
        self._media_url_for = media_url_for
        self._token_attempts = token_attempts
        self._token_delay_s = token_delay_s
        self._cutoff = cutoff
        # ROUTING_UNSURE=hotline: unsure reports go to a server's "to be dispatched" service.
        self._unsure_service_code = unsure_service_code
        self._service_codes: dict[str, str] | None = None
        self._lock = asyncio.Lock()
        self._tokens: dict[str, str] = {}  # idempotency key → token not yet resolved

    # ---- departments → service codes ---------------------------------------------------

    async def service_codes(self) -> dict[str, str]:
        """Our department code → service_code, fetched once (a failed fetch is retried)."""
        async with self._lock:
            if self._service_codes is None:
                services = await self._get("services.json")
                if not isinstance(services, list):
                    raise TemporaryHotlineError(f"services.json: not a list: {services!r}"[:300])
                mapping = match_services(self._department_names, services, cutoff=self._cutoff)
                known = {str(s.get("service_code")) for s in services if isinstance(s, dict)}
                for ours, theirs in load_mapping(self._mapping_file).items():
                    if theirs not in known:
                        log.warning("mapping file: service_code %s (for %s) unknown", theirs, ours)
                    mapping[ours] = theirs
                unmapped = sorted(set(self._department_names) - set(mapping))
                if unmapped:
                    log.warning("no Open311 service for departments %s", ", ".join(unmapped))
                self._service_codes = mapping
            return self._service_codes

    # ---- the gateway -------------------------------------------------------------------

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        token = self._tokens.get(request.idempotency_key)
        if token is None:
            service_code = await self.service_code_for(request)
            if service_code is None:
                raise PermanentHotlineError(
                    f"no Open311 service_code for department {request.department_code}"
                )
            data = await self._post("requests.json", self.form(request, service_code))
            first = data[0] if isinstance(data, list) and data else None
            if not isinstance(first, dict):
                raise TemporaryHotlineError(f"unexpected create response: {data!r}"[:300])
            if first.get("service_request_id"):
                return self._receipt(str(first["service_request_id"]))
            if not first.get("token"):
                raise TemporaryHotlineError(f"create response without id or token: {first!r}")
            token = str(first["token"])
            self._tokens[request.idempotency_key] = token
        try:
            request_id = await self._resolve(token)
        except PermanentHotlineError as error:  # the server forgot the token: POST again
            self._tokens.pop(request.idempotency_key, None)
            raise TemporaryHotlineError(f"token {token}: {error}") from error
        self._tokens.pop(request.idempotency_key, None)
        return self._receipt(request_id)

    async def service_code_for(self, request: TicketRequest) -> str | None:
        """The suggestion's service, or OPEN311_UNSURE_SERVICE_CODE for an unsure report."""
        if request.routing is not None and request.routing.unsure and self._unsure_service_code:
            return self._unsure_service_code
        return (await self.service_codes()).get(request.department_code)

    async def urge(self, external_id: str, note: str, idempotency_key: str) -> None:
        raise PermanentHotlineError("Open311 GeoReport v2 has no urge (催办) operation")

    async def reopen(self, external_id: str, reason: str, idempotency_key: str) -> str:
        raise PermanentHotlineError("Open311 GeoReport v2 has no reopen (重办) operation")

    async def reroute(
        self, external_id: str, department_code: str, note: str, idempotency_key: str
    ) -> None:
        raise PermanentHotlineError("Open311 GeoReport v2 has no reroute (改派) operation")

    async def withdraw(self, external_id: str, reason: str, idempotency_key: str) -> None:
        raise PermanentHotlineError("Open311 GeoReport v2 has no withdraw (撤回) operation")

    async def supervise(
        self, external_id: str, note: str, deadline: datetime, idempotency_key: str
    ) -> None:
        # GeoReport v2 only files and reads requests: the 督办 stays on our desk, and the
        # dead letter tells the admins to pass the notice to the hotline by other means.
        raise PermanentHotlineError("Open311 GeoReport v2 has no supervision (督办) operation")

    def form(self, request: TicketRequest, service_code: str) -> dict[str, str]:
        """The form-encoded POST requests.json body (api_key included)."""
        last_name, first_name = split_name(request.reporter.name)
        description = request.text
        if request.summary and not request.text.startswith(request.summary):
            description = f"{request.summary}\n\n{request.text}"
        routing = request.routing
        if routing is not None and routing.unsure:
            # Every GeoReport server shows the description: dispatchers read it there.
            description += "\n\n" + unsure_note(routing, self._department_names)
        address = "".join(p for p in (request.district, request.town, request.address) if p)
        fields: dict[str, str | None] = {
            "service_code": service_code,
            "description": description,
            "first_name": first_name,
            "last_name": last_name,
            "phone": request.reporter.phone,
            "address_string": address or None,
            "attribute[idempotency_key]": request.idempotency_key,
            "attribute[report_number]": request.report_number,
            # Extra attributes the reference intake reads; other servers ignore them.
            "attribute[summary]": request.summary,
            "attribute[appeal_type]": request.appeal_type,
            "attribute[urgency]": request.urgency,
            "attribute[district]": request.district,
            "attribute[town]": request.town,
            "attribute[reporter_level]": request.reporter.level,
            "attribute[reporter_station]": request.reporter.station,
            **routing_attributes(routing),
        }
        if request.latitude is not None and request.longitude is not None:
            fields["lat"] = repr(request.latitude)
            fields["long"] = repr(request.longitude)
        elif not address:
            fields["address_string"] = self._default_address
        if self._media_url_for is not None:
            fields["media_url"] = self._media_url_for(request)
        if self._jurisdiction_id:
            fields["jurisdiction_id"] = self._jurisdiction_id
        if self._api_key:
            fields["api_key"] = self._api_key
        return {k: v for k, v in fields.items() if v}

    # ---- transport ---------------------------------------------------------------------

    async def _resolve(self, token: str) -> str:
        delay = self._token_delay_s
        for attempt in range(self._token_attempts):
            data = await self._get(f"tokens/{token}.json")
            first = data[0] if isinstance(data, list) and data else None
            if isinstance(first, dict) and first.get("service_request_id"):
                return str(first["service_request_id"])
            if attempt + 1 < self._token_attempts:
                await asyncio.sleep(delay)
                delay *= 2
        raise TemporaryHotlineError(f"token {token} not resolved yet")

    def _receipt(self, request_id: str) -> TicketReceipt:
        return TicketReceipt(external_id=request_id, status=ReportStatus.SUBMITTED)

    def _params(self) -> dict[str, str]:
        """Every GET carries the jurisdiction and the api_key, when configured."""
        params = {"jurisdiction_id": self._jurisdiction_id} if self._jurisdiction_id else {}
        if self._api_key:
            params["api_key"] = self._api_key
        return params

    async def _get(self, path: str) -> Any:
        return await self._call("GET", path, params=self._params())

    async def _post(self, path: str, form: dict[str, str]) -> Any:
        return await self._call("POST", path, data=form)

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            async with self._session.request(
                method, f"{self.base_url}/{path}", timeout=DEFAULT_TIMEOUT, **kwargs
            ) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TemporaryHotlineError(f"{type(error).__name__}: {error}"[:500]) from error
        if status >= 500 or status in RETRYABLE_STATUSES:
            raise TemporaryHotlineError(f"HTTP {status}: {error_text(text)}")
        if status >= 400:
            raise PermanentHotlineError(f"HTTP {status}: {error_text(text)}")
        try:
            return json.loads(text) if text else None
        except ValueError as error:
            raise TemporaryHotlineError(f"HTTP {status}: not JSON: {text[:200]}") from error
