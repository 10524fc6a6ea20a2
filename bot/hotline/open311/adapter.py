"""An Open311 GeoReport v2 server (open311.org) as a HotlineGateway.

GeoReport v2 can create and read service requests, nothing else (capabilities below): a 重办
is filed as a new request that cites the original (its id and our reference), and 催办, 改派
and 撤回 are never sent (the services do not queue them; a message queued before this was
known dies with a line saying why).

Duplicates on retry: GeoReport v2 has no idempotency key. Our reference (the report number)
is in every description; after an ambiguous failure (the POST may have reached the server:
a timeout, a dropped connection, a 5xx) the next attempt first looks for it with
`GET requests.json` and takes the request found instead of posting again. A token this
process already got for a key is remembered and only polled again. Servers that read
`attribute[idempotency_key]` (our reference intake) are protected as well, when they declare
it in the service definition."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bot.hotline.gateway import (
    HotlineError,
    PermanentHotlineError,
    RoutingSuggestion,
    TemporaryHotlineError,
    TicketReceipt,
    TicketRequest,
)
from bot.hotline.open311 import form as forms
from bot.hotline.open311.services import (
    SCORE_CUTOFF,
    SERVICES_TTL_S,
    ServiceCatalogue,
    is_unknown_service,
    load_mapping,
    match_services,
)
from bot.services.tickets.capabilities import HotlineCapabilities, ReopenMode
from storage.models import ReportStatus

__all__ = ["Open311Adapter", "error_text", "load_mapping", "match_services", "split_name"]

log = logging.getLogger(__name__)

ADAPTER = "open311"
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5, sock_read=20)
RETRYABLE_STATUSES = frozenset({408, 429})
# GeoReport v2 requires a location; a report without one is filed at the city level.
DEFAULT_ADDRESS = "邵阳市"
# Tokens resolve when the server's queue gets to them: a few quick tries, then the outbox's
# own back-off takes over (the remembered token is polled again on the next attempt).
TOKEN_ATTEMPTS = 5
TOKEN_DELAY_S = 0.2
LOOKUP_WINDOW = timedelta(days=2)  # how far back a lost request is looked for


def split_name(name: str) -> tuple[str, str]:
    """(last_name, first_name): a Chinese name's first character is the surname."""
    name = name.strip()
    if " " in name:  # "Given Family" style
        first, _, last = name.rpartition(" ")
        return last, first
    return name[:1], name[1:]


def error_text(text: str) -> str:
    """One readable line: a GeoReport error list's descriptions, a `{"code", "detail"}`
    object, or (an HTML error page) its title; never the page itself."""
    try:
        data = json.loads(text)
    except ValueError:
        return _plain(text)
    items = data if isinstance(data, list) else [data]
    parts = [
        f"{item.get('code', '')}: {item.get('description') or item.get('detail') or ''}".strip(
            ": "
        )
        for item in items
        if isinstance(item, dict)
    ]
    parts = [p for p in parts if p]
    return "; ".join(parts)[:300] if parts else _plain(text)


def _plain(text: str) -> str:
    lowered = text.lower()
    if "<title>" in lowered:
        start = lowered.index("<title>") + len("<title>")
        end = lowered.find("</title>", start)
        return " ".join(text[start : end if end > 0 else start + 120].split())[:200]
    if "<html" in lowered or "<!doctype" in lowered:
        return "an HTML error page"
    return " ".join(text.split())[:200]


def unsure_note(routing: RoutingSuggestion, names: Mapping[str, list[str]]) -> str:
    """The line a dispatcher reads under an unsure report's description."""
    name = (names.get(routing.department_code) or [routing.department_code])[0]
    note = f"【建议承办单位（待确认）：{name}，把握 {routing.confidence:.0%}】"
    if routing.reasons:
        note += "依据：" + "；".join(routing.reasons[:3])
    return note


class Open311Adapter:
    """One per process, sharing the process's aiohttp.ClientSession."""

    adapter = ADAPTER
    capabilities = HotlineCapabilities(
        adapter=ADAPTER,
        urge=False,
        reopen=ReopenMode.NEW_REQUEST,
        reroute=False,
        withdraw=False,
        supervise=False,
        photos=True,  # one media_url, when MEDIA_BASE_URL makes photos reachable
    )

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
        services_ttl_s: float | None = None,
        unsure_service_code: str | None = None,
    ) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._jurisdiction_id = jurisdiction_id
        self._default_address = default_address
        self._media_url_for = media_url_for
        self._department_names = dict(department_names)
        # ROUTING_UNSURE=hotline: unsure reports go to a server's "to be dispatched" service.
        self._unsure_service_code = unsure_service_code
        self._token_attempts = token_attempts
        self._token_delay_s = token_delay_s
        self.services = ServiceCatalogue(
            self._get,
            department_names,
            mapping_file,
            cutoff=cutoff,
            ttl_s=SERVICES_TTL_S if services_ttl_s is None else services_ttl_s,
        )
        self._tokens: dict[str, str] = {}  # idempotency key → token not yet resolved
        self._ambiguous: set[str] = set()  # keys whose POST may have reached the server
        self._originals: dict[str, Mapping[str, Any]] = {}

    async def service_codes(self) -> dict[str, str]:
        """Our department code → service_code (fetched again when stale)."""
        return await self.services.codes()

    # ---- the gateway -------------------------------------------------------------------

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        token = self._tokens.get(request.idempotency_key)
        if token is None:
            service_code = await self.service_code_for(request)
            found = await self._already_filed(request, service_code)
            if found is not None:
                return self._receipt(found)
            declared = await self.services.declared_attributes(service_code)
            fields = self.form(request, service_code, declared)
            first = await self._post_request(request.idempotency_key, fields)
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
            self._ambiguous.add(request.idempotency_key)  # ...after looking for it first
            raise TemporaryHotlineError(f"token {token}: {error}") from error
        self._tokens.pop(request.idempotency_key, None)
        return self._receipt(request_id)

    async def service_code_for(self, request: TicketRequest) -> str:
        """The suggestion's service, or OPEN311_UNSURE_SERVICE_CODE for an unsure report."""
        if request.routing is not None and request.routing.unsure and self._unsure_service_code:
            return self._unsure_service_code
        return await self.services.service_for(request.department_code)

    async def urge(self, external_id: str, note: str, idempotency_key: str) -> None:
        raise PermanentHotlineError("Open311 GeoReport v2 has no urge (催办) operation")

    async def reopen(self, external_id: str, reason: str, idempotency_key: str) -> TicketReceipt:
        """重办 as a new service request: the original's service and place, a description
        citing it. The key guards a retry as for creates (the reference names the round)."""
        original = await self._original(external_id)
        service_code = str(original.get("service_code") or "")
        if not service_code:
            raise PermanentHotlineError(f"request {external_id} has no service_code to reopen")
        text = (
            f"【重办】原工单 {external_id} 的答复未获代表认可，请重新办理。\n{reason}".strip()
            + f"\n\n原诉求：{str(original.get('description') or '')[:1500]}"
            + f"\n\n（重办：{idempotency_key}）"
        )
        fields: dict[str, str | None] = {
            "service_code": service_code,
            "description": text,
            "address_string": str(original.get("address") or "") or None,
        }
        if original.get("lat") is not None and original.get("long") is not None:
            fields["lat"], fields["long"] = str(original["lat"]), str(original["long"])
        elif not fields["address_string"]:
            fields["address_string"] = self._default_address
        found = await self._lookup(service_code, f"（重办：{idempotency_key}）", idempotency_key)
        if found is not None:
            return self._receipt(found)
        first = await self._post_request(idempotency_key, self._finish(fields))
        if first.get("service_request_id"):
            return self._receipt(str(first["service_request_id"]))
        if first.get("token"):
            return self._receipt(await self._resolve(str(first["token"])))
        raise TemporaryHotlineError(f"reopen response without id or token: {first!r}")

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

    def form(
        self,
        request: TicketRequest,
        service_code: str,
        declared: list[Mapping[str, Any]] | None = None,
    ) -> dict[str, str]:
        """The form-encoded POST requests.json body (api_key included)."""
        last_name, first_name = split_name(request.reporter.name)
        address = forms.address_string(request.district, request.town, request.address)
        description = forms.description(request.summary, request.text, request.report_number)
        routing = request.routing
        if routing is not None and routing.unsure:
            # Every GeoReport server shows the description: dispatchers read it there.
            description += "\n\n" + unsure_note(routing, self._department_names)
        fields: dict[str, str | None] = {
            "service_code": service_code,
            "description": description,
            "first_name": first_name,
            "last_name": last_name,
            "phone": request.reporter.phone,
            "address_string": address or None,
            **forms.attributes(request, service_code, declared or []),
        }
        if request.latitude is not None and request.longitude is not None:
            fields["lat"] = repr(request.latitude)
            fields["long"] = repr(request.longitude)
        elif not address:
            fields["address_string"] = self._default_address
        if self._media_url_for is not None and request.photos:
            fields["media_url"] = self._media_url_for(request)
        return self._finish(fields)

    def _finish(self, fields: dict[str, str | None]) -> dict[str, str]:
        if self._jurisdiction_id:
            fields["jurisdiction_id"] = self._jurisdiction_id
        if self._api_key:
            fields["api_key"] = self._api_key
        return {k: v for k, v in fields.items() if v}

    # ---- duplicates after an ambiguous failure -----------------------------------------

    async def _already_filed(self, request: TicketRequest, service_code: str) -> str | None:
        reference = forms.reference_line(request.report_number)
        return await self._lookup(service_code, reference, request.idempotency_key)

    async def _lookup(self, service_code: str, reference: str, key: str) -> str | None:
        """After an ambiguous POST for `key`: the id of a request carrying `reference`."""
        if key not in self._ambiguous:
            return None
        params = {**self._params(), "service_code": service_code}
        found = await self._call("GET", "requests.json", params=params)
        for item in found if isinstance(found, list) else []:
            if isinstance(item, dict) and reference in str(item.get("description") or ""):
                if item.get("service_request_id"):
                    log.info("request for %s found on the server: not posted again", key)
                    self._ambiguous.discard(key)
                    return str(item["service_request_id"])
        self._ambiguous.discard(key)
        return None

    async def _post_request(self, key: str, fields: dict[str, str]) -> Mapping[str, Any]:
        try:
            data = await self._call("POST", "requests.json", data=fields)
        except HotlineError as error:
            if isinstance(error, TemporaryHotlineError) and error.status != 429:
                self._ambiguous.add(key)  # it may have been filed: look before posting again
            if is_unknown_service(error):
                self.services.invalidate()
                raise TemporaryHotlineError(f"{error} (service list refreshed)") from error
            raise
        first = data[0] if isinstance(data, list) and data else data
        if not isinstance(first, dict):
            self._ambiguous.add(key)
            raise TemporaryHotlineError(f"unexpected create response: {data!r}"[:300])
        return first

    async def _original(self, external_id: str) -> Mapping[str, Any]:
        if external_id not in self._originals:
            data = await self._get(f"requests/{external_id}.json")
            first = data[0] if isinstance(data, list) and data else data
            if not isinstance(first, dict):
                raise TemporaryHotlineError(f"request {external_id}: unexpected {data!r}"[:300])
            self._originals[external_id] = first
        return self._originals[external_id]

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

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            async with self._session.request(
                method, f"{self.base_url}/{path}", timeout=DEFAULT_TIMEOUT, **kwargs
            ) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TemporaryHotlineError(f"{type(error).__name__}: {error}"[:300]) from error
        if status >= 500 or status in RETRYABLE_STATUSES:
            raise TemporaryHotlineError(f"HTTP {status}: {error_text(text)}", status=status)
        if status >= 400:
            raise PermanentHotlineError(f"HTTP {status}: {error_text(text)}", status=status)
        try:
            return json.loads(text) if text else None
        except ValueError as error:
            raise TemporaryHotlineError(f"HTTP {status}: not JSON: {_plain(text)}") from error
