"""Our signed JSON intake API (intake/openapi.yaml) as a HotlineGateway.

Every request is signed v2 (protocol/signing.py: method, path with query, timestamp,
Idempotency-Key and the body's hash) and carries an Idempotency-Key, so the intake records each
state change once per key; the same recipe checks the callbacks."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiohttp
from yarl import URL

from bot.hotline.gateway import (
    HotlineError,
    PermanentHotlineError,
    PhotoFile,
    RoutingSuggestion,
    TemporaryHotlineError,
    TicketReceipt,
    TicketRequest,
)
from bot.services.tickets.capabilities import HotlineCapabilities
from protocol.signing import signed_headers

log = logging.getLogger(__name__)

# Nine photos of a few MB each must fit in `total`; `connect` fails fast when the intake is down.
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=60, connect=5, sock_read=30)
RETRYABLE_STATUSES = frozenset({408, 429})
ADMIN_OPERATOR = "人大代表工委"  # who the intake shows as the author of an admin's 改派
SUPERVISOR = "人大代表工委（督办）"  # the author of a 督办 notice
BATCH_PATH = "/api/v1/tickets/batch"
MAX_BATCH = 100  # the intake's limit per batch call
# How an intake without the batch endpoint answers it: then every create goes on its own.
NO_BATCH_STATUSES = frozenset({404, 405, 501})
TOO_LARGE = 413
CONCURRENT_SINGLES = 8  # creates sent one per call at once (photos: megabytes each)


def _read_photo(photo: PhotoFile) -> dict[str, str]:
    data = photo.path.read_bytes()
    return {
        "filename": photo.filename,
        "content_type": photo.content_type,
        "data_b64": base64.b64encode(data).decode("ascii"),
    }


async def create_body(request: TicketRequest) -> dict[str, Any]:
    """The create-ticket JSON; photos are read off the event loop."""
    photos = [await asyncio.to_thread(_read_photo, photo) for photo in request.photos]
    reporter = request.reporter
    return {
        "report_number": request.report_number,
        "department_code": request.department_code,
        "summary": request.summary,
        "text": request.text,
        "appeal_type": request.appeal_type,
        "urgency": request.urgency,
        "district": request.district,
        "town": request.town,
        "address": request.address,
        "latitude": request.latitude,
        "longitude": request.longitude,
        "reporter": {
            "name": reporter.name,
            "phone": reporter.phone,
            "level": reporter.level,
            "station": reporter.station,
        },
        "photos": photos,
        "submitted_at": request.submitted_at.isoformat() if request.submitted_at else None,
        "routing": _routing(request.routing),
    }


def _routing(routing: RoutingSuggestion | None) -> dict[str, Any] | None:
    if routing is None:
        return None
    return {
        "department_code": routing.department_code,
        "confidence": routing.confidence,
        "unsure": routing.unsure,
        "candidates": [
            {"department_code": code, "confidence": confidence}
            for code, confidence in routing.candidates
        ],
        "evidence": list(routing.reasons),
    }


class HttpHotlineAdapter:
    """One instance per process, sharing the process's one aiohttp.ClientSession."""

    adapter = "http"
    capabilities = HotlineCapabilities(adapter="http")  # our JSON API: every action

    def __init__(self, session: aiohttp.ClientSession, base_url: str, secret: str) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._secret = secret
        self._batching = True  # until the intake answers that it has no batch endpoint

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        try:
            body = await create_body(request)
        except OSError as error:  # a photo file vanished: sending again will not bring it back
            raise PermanentHotlineError(f"photo unreadable: {error}") from error
        data = await self._post("/api/v1/tickets", body, key=request.idempotency_key)
        return _receipt(data)

    async def create_tickets(
        self, requests: Sequence[TicketRequest]
    ) -> list[TicketReceipt | HotlineError]:
        """Creates without photos go MAX_BATCH to a signed call (`POST /tickets/batch`); those
        with photos (large bodies), and all where the intake has no batch endpoint, one each."""
        results: dict[int, TicketReceipt | HotlineError] = {}
        plain = [n for n, request in enumerate(requests) if not request.photos]
        chunks = [plain[i : i + MAX_BATCH] for i in range(0, len(plain), MAX_BATCH)]
        for chunk in chunks if len(plain) > 1 else []:
            if not self._batching:  # the first chunk's answer said there is no endpoint
                break
            results.update(await self._create_batch({n: requests[n] for n in chunk}))
        alone = [n for n in range(len(requests)) if n not in results]
        limit = asyncio.Semaphore(CONCURRENT_SINGLES)

        async def create_alone(request: TicketRequest) -> TicketReceipt | HotlineError:
            async with limit:
                return await self._create_or_error(request)

        outcomes = await asyncio.gather(*(create_alone(requests[n]) for n in alone))
        results.update(zip(alone, outcomes, strict=True))
        return [results[n] for n in range(len(requests))]

    async def _create_or_error(self, request: TicketRequest) -> TicketReceipt | HotlineError:
        try:
            return await self.create_ticket(request)
        except HotlineError as error:
            return error

    async def _create_batch(
        self, requests: dict[int, TicketRequest]
    ) -> dict[int, TicketReceipt | HotlineError]:
        """Results by the requests' positions; none where the intake has no batch endpoint."""
        items = [
            {"idempotency_key": request.idempotency_key, **await create_body(request)}
            for request in requests.values()
        ]
        try:
            # The batch's own key names its items: a batch sent again is the same batch.
            keys = "\n".join(request.idempotency_key for request in requests.values())
            batch_key = "batch-" + hashlib.sha256(keys.encode()).hexdigest()[:32]
            data = await self._post(BATCH_PATH, {"tickets": items}, key=batch_key)
        except HotlineError as error:
            if error.status == TOO_LARGE:
                return {}  # too large together for this intake: each goes on its own
            if error.status in NO_BATCH_STATUSES:
                log.info(
                    "the intake has no batch endpoint (HTTP %s): one call per ticket", error.status
                )
                self._batching = False
                return {}
            return {n: error for n in requests}
        answers = data.get("results")
        if not isinstance(answers, list) or len(answers) != len(requests):
            unexpected = TemporaryHotlineError(f"unexpected batch response: {data!r}"[:300])
            return {n: unexpected for n in requests}
        return {n: _item_result(answer) for n, answer in zip(requests, answers, strict=True)}

    async def urge(self, external_id: str, note: str, idempotency_key: str) -> None:
        # Keyed: a 催办 sent again (a lease that ran out mid-call) is recorded once.
        await self._post(
            f"/api/v1/tickets/{external_id}/urge", {"note": note}, key=idempotency_key
        )

    async def reopen(self, external_id: str, reason: str, idempotency_key: str) -> str:
        data = await self._post(
            f"/api/v1/tickets/{external_id}/reopen", {"reason": reason}, key=idempotency_key
        )
        return str(data.get("status", ""))

    async def reroute(
        self, external_id: str, department_code: str, note: str, idempotency_key: str
    ) -> None:
        await self._post(
            f"/api/v1/tickets/{external_id}/reroute",
            {"department_code": department_code, "note": note, "operator": ADMIN_OPERATOR},
            key=idempotency_key,
        )

    async def withdraw(self, external_id: str, reason: str, idempotency_key: str) -> None:
        await self._post(
            f"/api/v1/tickets/{external_id}/withdraw", {"reason": reason}, key=idempotency_key
        )

    async def supervise(
        self, external_id: str, note: str, deadline: datetime, idempotency_key: str
    ) -> None:
        await self._post(
            f"/api/v1/tickets/{external_id}/supervise",
            {"note": note, "expected_at": deadline.isoformat(), "operator": SUPERVISOR},
            key=idempotency_key,
        )

    async def _post(self, path: str, payload: Any, *, key: str) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        url = URL(self.base_url + path)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        # Signed per attempt: a retry hours later must carry a fresh timestamp.
        headers.update(signed_headers(self._secret, "POST", url.raw_path_qs, body, key=key))
        try:
            async with self._session.post(
                url, data=body, headers=headers, timeout=DEFAULT_TIMEOUT
            ) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TemporaryHotlineError(f"{type(error).__name__}: {error}"[:500]) from error
        if status >= 500 or status in RETRYABLE_STATUSES:
            raise TemporaryHotlineError(f"HTTP {status}: {text[:300]}", status=status)
        if status >= 400:
            raise PermanentHotlineError(f"HTTP {status}: {text[:300]}", status=status)
        try:
            data = json.loads(text) if text else {}
        except ValueError as error:
            raise TemporaryHotlineError(f"HTTP {status}: not JSON: {text[:200]}") from error
        return data if isinstance(data, dict) else {}


def _receipt(data: Any) -> TicketReceipt:
    try:
        return TicketReceipt(external_id=str(data["ticket_id"]), status=str(data["status"]))
    except (KeyError, TypeError) as error:
        raise TemporaryHotlineError(f"unexpected create response: {data!r}"[:300]) from error


def _item_result(answer: Any) -> TicketReceipt | HotlineError:
    """One item of a batch answer, judged as the same create on its own would be."""
    code = answer.get("code") if isinstance(answer, dict) else None
    if code in (200, 201):
        try:
            return _receipt(answer)
        except TemporaryHotlineError as error:
            return error
    message = f"HTTP {code}: {json.dumps(answer, ensure_ascii=False)[:300]}"
    if isinstance(code, int) and 400 <= code < 500 and code not in RETRYABLE_STATUSES:
        return PermanentHotlineError(message, status=code)
    return TemporaryHotlineError(message, status=code if isinstance(code, int) else None)
