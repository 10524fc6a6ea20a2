"""Status polling for Open311 tickets: GeoReport v2 has no callbacks, so open requests are
fetched in batches (`GET requests.json?service_request_id=a,b,...`) and every change becomes a
`HotlineEvent` for `TicketUpdateService`.

Open311 knows only open/closed, so the status is inferred:
- `closed` → 已办结 (the status notes are the note);
- `open` never touched by an operator → nothing yet: updated within UNTOUCHED_TOLERANCE of
  requested and no notes (servers stamp the two from separate `now()` calls on create);
- `open` while our ticket is still 已提交 → 已受理;
- `open` later → 办理中, as a progress note when status_notes are given.
When `service_notice` names one of our statuses (the reference intake says "工单状态：已答复"),
that status is used instead. The event id hashes service_request_id, updated_datetime, status
and notes, so a repeated poll is a no-op (and two changes within one second are not lost)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bot.core.clock import CHINA_TIME
from bot.core.leadership import Leadership
from bot.hotline.open311.adapter import error_text
from bot.services.tickets.updates import STATUS_RANK, HotlineEvent, TicketUpdateService
from storage.base import utcnow
from storage.models import ReportStatus
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

ADAPTER = "open311"
BATCH = 50  # service_request_ids per GET
MAX_TICKETS_PER_PASS = 500
MAX_INTERVAL = timedelta(hours=24)
UNTOUCHED_TOLERANCE = timedelta(seconds=5)
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5, sock_read=20)
_NOTICE_STATUS = re.compile(r"工单状态[:：]\s*(\S+)")
_HINTED = frozenset(STATUS_RANK) | {ReportStatus.RETURNED}


@dataclass(frozen=True)
class _Due:
    ticket_id: int
    external_id: str
    status: str
    created_at: datetime


def parse_time(text: str | None) -> datetime | None:
    """ISO 8601 → aware UTC (no offset = China time, as the hotline is in China)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_TIME)
    return value.astimezone(UTC)


def event_id(request: Mapping[str, Any]) -> str:
    parts = [
        str(request.get(k) or "")
        for k in ("service_request_id", "updated_datetime", "status", "status_notes")
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"open311:{parts[0][:64]}:{digest}"


def to_event(
    request: Mapping[str, Any], ticket_status: str, *, now: datetime
) -> HotlineEvent | None:
    """The event a polled request means for a ticket now at `ticket_status`, or None."""
    request_id = str(request.get("service_request_id") or "")
    if not request_id:
        return None
    state = str(request.get("status") or "").lower()
    notes = str(request.get("status_notes") or "").strip() or None
    agency = str(request.get("agency_responsible") or "").strip() or None
    updated = parse_time(request.get("updated_datetime"))
    requested = parse_time(request.get("requested_datetime"))
    occurred = updated or now
    hint_match = _NOTICE_STATUS.search(str(request.get("service_notice") or ""))
    hint = hint_match.group(1) if hint_match and hint_match.group(1) in _HINTED else None
    action: str | None = None
    answer: str | None = None
    note = notes
    if hint is not None:
        status = hint
        if status == ReportStatus.ANSWERED:
            answer, note = notes, None
        elif status == ReportStatus.RETURNED:
            action = "return"
        elif status == ReportStatus.SUBMITTED:
            return None
        elif status == ticket_status and notes:
            action = "progress"
    elif state == "closed":
        status = ReportStatus.CLOSED  # its notes are shown, and the rating round starts
    elif state == "open":
        if updated is not None and requested is not None:
            if updated - requested <= UNTOUCHED_TOLERANCE and not notes:
                return None  # nobody has touched it yet: still 已提交
        if STATUS_RANK.get(ticket_status, 0) < STATUS_RANK[ReportStatus.ACCEPTED]:
            status = ReportStatus.ACCEPTED
        else:
            status = ReportStatus.IN_PROGRESS
            action = "progress" if notes else None
    else:
        log.warning("request %s: unknown Open311 status %r", request_id, state)
        return None
    if note and agency:
        note = f"{note}（承办单位：{agency}）"
    return HotlineEvent(
        event_id=event_id(request),
        external_id=request_id,
        status=status,
        occurred_at=occurred,
        action=action,
        note=note,
        answer=answer,
        operator=agency,
    )


class Open311StatusPoller:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        session: aiohttp.ClientSession,
        base_url: str,
        update_service: TicketUpdateService,
        *,
        poll_seconds: float = 300.0,
        clock: Callable[[], datetime] = utcnow,
        jurisdiction_id: str | None = None,
        batch: int = BATCH,
        api_key: str | None = None,
        leadership: Leadership | None = None,
    ) -> None:
        self._leadership = leadership  # several instances: only the lease holder polls
        self._uow_factory = uow_factory
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._updates = update_service
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._jurisdiction_id = jurisdiction_id
        self._api_key = api_key  # sent so the server may show us our own descriptions
        self._batch = max(1, min(batch, BATCH))

    def interval(self, created_at: datetime, now: datetime) -> timedelta:
        """poll_seconds for a ticket younger than a day, doubling per day of age, ≤ 24 h."""
        days = max(0, int((now - created_at).total_seconds() // 86400))
        seconds = self._poll_seconds * 2 ** min(days, 20)
        return min(timedelta(seconds=seconds), MAX_INTERVAL)

    async def run_forever(self, stop_event: asyncio.Event, idle_sleep: float = 5.0) -> None:
        while not stop_event.is_set():
            try:
                if self._leadership is None or self._leadership.held:
                    await self.run_once()
            except Exception:  # keep polling; the tickets stay due
                log.exception("Open311 status poll failed")
            try:
                await asyncio.wait_for(stop_event.wait(), timeout=idle_sleep)
            except TimeoutError:
                pass

    async def run_once(self) -> int:
        """Poll the due tickets once; how many events were applied."""
        now = self._clock()
        async with self._uow_factory() as uow:
            repo = uow.open311
            tickets = await repo.due(ADAPTER, now, MAX_TICKETS_PER_PASS)
            due = [_Due(t.id, str(t.external_id), t.status, t.created_at or now) for t in tickets]
            seen = await repo.seen_event_ids(d.ticket_id for d in due)
        applied = 0
        for start in range(0, len(due), self._batch):
            chunk = due[start : start + self._batch]
            try:
                requests = await self._fetch([d.external_id for d in chunk])
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                log.warning("Open311 poll of %d requests failed: %s", len(chunk), error)
                # Asked again at the tickets' own pace, not on every pass (a few seconds):
                # a server that is down or refusing is not hammered, old tickets keep back-off.
                for item in chunk:
                    await self._schedule(item, now)
                continue
            for item in chunk:
                request = requests.get(item.external_id)
                if request is None:
                    log.warning("Open311 request %s not returned by the server", item.external_id)
                else:
                    event = to_event(request, item.status, now=now)
                    if event is not None and (item.ticket_id, event.event_id) not in seen:
                        outcome = await self._updates.process(event)
                        applied += int(outcome.recorded)
                await self._schedule(item, now)
        return applied

    async def _schedule(self, item: _Due, now: datetime) -> None:
        async with self._uow_factory() as uow:
            when = now + self.interval(item.created_at, now)
            await uow.open311.schedule(item.ticket_id, when)
            await uow.commit()

    async def _fetch(self, ids: list[str]) -> dict[str, Mapping[str, Any]]:
        params = {"service_request_id": ",".join(ids)}
        if self._jurisdiction_id:
            params["jurisdiction_id"] = self._jurisdiction_id
        if self._api_key:
            params["api_key"] = self._api_key
        async with self._session.get(
            f"{self.base_url}/requests.json", params=params, timeout=DEFAULT_TIMEOUT
        ) as response:
            text = await response.text()
            if response.status >= 400:
                raise ValueError(f"HTTP {response.status}: {error_text(text)}")
        data = json.loads(text) if text else []
        if not isinstance(data, list):
            raise ValueError(f"requests.json: not a list: {text[:200]}")
        return {
            str(r["service_request_id"]): r
            for r in data
            if isinstance(r, dict) and r.get("service_request_id")
        }
