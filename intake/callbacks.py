"""Delivers queued callbacks (the outbox in intake_callbacks) to the bot, signed, with retries.

One background task. Events of one ticket go out strictly in order: a later event waits while
an earlier one of the same ticket is still failing, other tickets are not held up. Each row is
retried with exponential backoff until a 2xx or ``max_attempts``; the body never changes
between attempts, so the receiver can deduplicate by event_id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from yarl import URL

from intake.db import callbacks
from intake.timeutil import to_iso
from protocol.signing import signed_headers

log = logging.getLogger(__name__)


def _now() -> datetime:
    # Microsecond precision: test back-offs are tens of milliseconds.
    return datetime.now(UTC).replace(tzinfo=None)


class CallbackDispatcher:
    def __init__(
        self,
        engine: AsyncEngine,
        write_lock: AbstractAsyncContextManager[Any],
        *,
        url: str,
        secret: str,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 300.0,
        max_attempts: int = 15,
        timeout_s: float = 10.0,
        idle_poll_s: float = 5.0,
    ) -> None:
        self.url = url
        self._path = URL(url).raw_path_qs  # what the signature covers, as sent
        self._engine = engine
        self._lock = write_lock
        self._secret = secret
        self._base = backoff_base_s
        self._max = backoff_max_s
        self._max_attempts = max_attempts
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._idle = idle_poll_s
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)
        self._task = asyncio.create_task(self._run(), name="intake-callbacks")

    async def close(self) -> None:
        # Stop between rows rather than cancelling mid-query: cancelling inside an aiosqlite
        # call can leave the connection pool waiting forever. Cancel only as a last resort.
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self._timeout.total or 10)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        if self._session is not None:
            await self._session.close()

    async def _run(self) -> None:
        while not self._stopping:
            # Clear before the pass: an event queued during the pass wakes the next one.
            self._wake.clear()
            try:
                wait = await self.deliver_due()
            except Exception:  # keep the loop alive; the rows stay queued
                log.exception("callback delivery pass failed")
                wait = self._idle
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.01))

    async def deliver_due(self) -> float:
        """One pass over the queue; returns seconds until the next row is due."""
        query = (
            select(callbacks)
            .where(callbacks.c.delivered.is_(False), callbacks.c.gave_up.is_(False))
            .order_by(callbacks.c.id)
            .limit(200)
        )
        async with self._engine.connect() as conn:
            rows = list((await conn.execute(query)).mappings())
        blocked: set[int] = set()
        wait = self._idle
        for row in rows:
            if self._stopping:
                break
            if row["ticket_id"] in blocked:
                continue
            now = _now()
            if row["next_attempt_at"] > now:
                blocked.add(row["ticket_id"])
                wait = min(wait, (row["next_attempt_at"] - now).total_seconds())
                continue
            error = await self._post(row["event_id"], row["payload"].encode())
            if error is None:
                await self._mark(row["id"], delivered=True, delivered_at=_now(), last_error=None)
                continue
            attempts = row["attempts"] + 1
            delay = min(self._base * 2 ** (attempts - 1), self._max)
            gave_up = attempts >= self._max_attempts
            if gave_up:
                log.error("callback %s dropped after %d attempts", row["event_id"], attempts)
            else:
                blocked.add(row["ticket_id"])
                wait = min(wait, delay)
            await self._mark(
                row["id"],
                attempts=attempts,
                next_attempt_at=_now() + timedelta(seconds=delay),
                gave_up=gave_up,
                last_error=error[:500],
            )
        return wait

    async def _post(self, event_id: str, body: bytes) -> str | None:
        """None on a 2xx, else a short error description."""
        assert self._session is not None
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Event-Id": event_id,
            # Keyed by the event: a replayed callback is the same event, recorded once.
            **signed_headers(self._secret, "POST", self._path, body, key=event_id),
        }
        try:
            async with self._session.post(self.url, data=body, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"HTTP {response.status}"
        except (aiohttp.ClientError, TimeoutError) as error:
            return f"{type(error).__name__}: {error}"

    async def _mark(self, row_id: int, **values: object) -> None:
        async with self._lock, self._engine.begin() as conn:
            await conn.execute(update(callbacks).where(callbacks.c.id == row_id).values(values))


def callback_payload(ticket: Mapping[Any, Any], event: Mapping[Any, Any]) -> dict[str, Any]:
    """The body POSTed to the callback URL (field names are the published contract)."""
    return {
        "event_id": event["event_id"],
        "ticket_id": ticket["ticket_no"],
        "report_number": ticket["report_number"],
        "idempotency_key": ticket["idempotency_key"],
        "status": event["status"],
        "note": event["note"],
        "answer": ticket["answer"],
        "department_code": event["department_code"],
        "operator": event["operator"],
        "occurred_at": to_iso(event["created_at"]),
        # Additions beyond the minimal contract: which action, and a new deadline on 延期.
        "action": event["action"],
        "expected_at": to_iso(event["expected_at"]),
    }
