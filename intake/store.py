"""Ticket storage and state changes; every change writes an event and queues its callback.

All writes go through one asyncio.Lock: SQLite allows one writer anyway, and serialising in
process avoids SQLITE_BUSY on lock upgrades. Idempotency does not rely on the lock: the
unique constraint on idempotency_key decides, and the loser reads the winner's ticket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intake import audit, workflow
from intake.callbacks import callback_payload
from intake.db import callbacks, events, tickets
from intake.departments import Directory
from intake.new_ticket import NewTicket
from intake.photos import save_photos
from intake.timeutil import to_iso, utcnow


class NotFound(Exception):
    pass


class TicketStore:
    def __init__(
        self,
        engine: AsyncEngine,
        directory: Directory,
        media_dir: Path,
        *,
        callbacks_enabled: bool,
        on_enqueue: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.directory = directory
        self.media_dir = media_dir
        self.callbacks_enabled = callbacks_enabled
        self._on_enqueue = on_enqueue
        # SQLite has one writer: queue ours here rather than on its busy timeout. PostgreSQL
        # takes concurrent writers (an idempotent create relies on the unique key either way).
        self.write_lock: AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    def set_on_enqueue(self, callback: Callable[[], None]) -> None:
        self._on_enqueue = callback

    # ---- reads -------------------------------------------------------------------------

    async def get(self, ticket_no: str) -> RowMapping | None:
        async with self.engine.connect() as conn:
            row = await conn.execute(select(tickets).where(tickets.c.ticket_no == ticket_no))
            return row.mappings().first()

    async def events_for(self, ticket_id: int) -> Sequence[RowMapping]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(events).where(events.c.ticket_id == ticket_id).order_by(events.c.id)
            )
            return rows.mappings().all()

    async def list(
        self,
        *,
        department: str | None = None,
        statuses: Sequence[str] | None = None,
        ticket_nos: Sequence[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = 500,
    ) -> list[RowMapping]:
        query = select(tickets).order_by(tickets.c.id.desc()).limit(limit)
        if ticket_nos is not None:
            query = query.where(tickets.c.ticket_no.in_(list(ticket_nos)))
        if department:
            query = query.where(tickets.c.department_code == department)
        if statuses:
            query = query.where(tickets.c.status.in_(list(statuses)))
        if start is not None:
            query = query.where(tickets.c.created_at >= start)
        if end is not None:
            query = query.where(tickets.c.created_at <= end)
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).mappings())

    async def supervised(self, ticket_ids: Sequence[int]) -> set[int]:
        """Which of these tickets the 代表工委 has supervised (督办): marked in the queue."""
        if not ticket_ids:
            return set()
        query = select(events.c.ticket_id).where(
            events.c.ticket_id.in_(list(ticket_ids)), events.c.action == workflow.SUPERVISE
        )
        async with self.engine.connect() as conn:
            return set((await conn.execute(query)).scalars())

    async def counts(self) -> dict[str, dict[str, int]]:
        """Per department: {"open": n, "new": n} (new = waiting for 受理)."""
        query = select(tickets.c.department_code, tickets.c.status, func.count()).group_by(
            tickets.c.department_code, tickets.c.status
        )
        result: dict[str, dict[str, int]] = {}
        async with self.engine.connect() as conn:
            for code, status, count in await conn.execute(query):
                entry = result.setdefault(code, {"open": 0, "new": 0})
                if status not in workflow.CLOSED_STATUSES:
                    entry["open"] += count
                if status in (workflow.SUBMITTED, workflow.REROUTED):
                    entry["new"] += count
        return result

    # ---- writes ------------------------------------------------------------------------

    async def create(self, new: NewTicket) -> tuple[RowMapping, bool]:
        """Insert once per idempotency key; (ticket, created?)."""
        return (await self.create_many([new]))[0]

    async def create_many(self, news: Sequence[NewTicket]) -> Sequence[tuple[RowMapping, bool]]:
        """Several creates in one transaction; per item, in order, (ticket, created?). A key
        stored before (a retry) or repeated within `news` gets that one ticket back."""
        clashes = 0
        while True:
            try:
                async with self.write_lock:
                    stored = await self._create_many(news)
                break
            except IntegrityError:
                # A concurrent request stored one of these keys between our lookup and insert
                # (PostgreSQL): again, the lookup now finds it. Each clash is a key found, so
                # clashing more often than there are keys means another constraint failed.
                clashes += 1
                if clashes > len(news):
                    raise
        if any(created for _, created in stored):
            self._on_enqueue()
        return stored

    async def _create_many(self, news: Sequence[NewTicket]) -> Sequence[tuple[RowMapping, bool]]:
        now = utcnow()
        keys = list(dict.fromkeys(new.idempotency_key for new in news))
        async with self.engine.begin() as conn:
            query = select(tickets).where(tickets.c.idempotency_key.in_(keys))
            found = {row["idempotency_key"]: row for row in (await conn.execute(query)).mappings()}
            fresh: dict[str, NewTicket] = {}
            for new in news:
                if new.idempotency_key not in found:
                    fresh.setdefault(new.idempotency_key, new)
            created = await self._insert(conn, list(fresh.values()), now) if fresh else {}
        results = []
        for new in news:
            key = new.idempotency_key
            if fresh.pop(key, None) is not None:  # a repeat within `news` gets (ticket, False)
                results.append((created[key], True))
            else:
                results.append((found.get(key) or created[key], False))
        return results

    async def _insert(
        self, conn: AsyncConnection, news: Sequence[NewTicket], now: datetime
    ) -> dict[str, RowMapping]:
        """The new tickets with their submit events (and callbacks), by idempotency key."""
        # Values as parameters, not .values(...): the statement is compiled once and cached;
        # several rows go as one multi-row INSERT ... RETURNING.
        inserted = await conn.execute(
            insert(tickets).returning(tickets.c.id, sort_by_parameter_order=True),
            [self._ticket_values(new, now) for new in news],
        )
        changes = []
        for new, ticket_id in zip(news, inserted.scalars().all(), strict=True):
            # 12345-style work-order number: local date + sequence.
            ticket_no = f"{(to_iso(now) or '')[:10].replace('-', '')}{ticket_id:05d}"
            stored = await save_photos(self.media_dir, ticket_no, new.photos)
            changes.append(
                {
                    "row_id": ticket_id,
                    "ticket_no": ticket_no,
                    "media": [{"url": url} for url in new.media_urls] + stored,
                }
            )
        await conn.execute(
            update(tickets)
            .where(tickets.c.id == bindparam("row_id"))
            .values(ticket_no=bindparam("ticket_no"), media=bindparam("media")),
            changes,
        )
        query = select(tickets).where(tickets.c.id.in_([c["row_id"] for c in changes]))
        rows = list((await conn.execute(query)).mappings())
        await self._record_submits(conn, rows, now)
        return {row["idempotency_key"]: row for row in rows}

    @staticmethod
    def _ticket_values(new: NewTicket, now: datetime) -> dict[str, Any]:
        return {
            "ticket_no": f"tmp-{uuid.uuid4().hex[:24]}",  # fits the column; replaced after
            "idempotency_key": new.idempotency_key,
            "source": new.source,
            "report_number": new.report_number,
            "department_code": new.department_code,
            "summary": new.summary,
            "text": new.text,
            "appeal_type": new.appeal_type,
            "urgency": new.urgency,
            "district": new.district,
            "town": new.town,
            "address": new.address,
            "lat": new.lat,
            "long": new.long,
            "reporter_name": new.reporter_name,
            "reporter_phone": new.reporter_phone,
            "reporter_level": new.reporter_level,
            "reporter_station": new.reporter_station,
            "reporter_email": new.reporter_email,
            "media": [],
            "status": workflow.SUBMITTED,
            "submitted_at": new.submitted_at,
            "routing": new.routing,
            "created_at": now,
            "updated_at": now,
            "expected_at": workflow.deadline_for(new.urgency, now),
            "reopen_count": 0,
        }

    async def act(
        self,
        ticket_no: str,
        action: str,
        *,
        operator: str | None,
        note: str | None = None,
        answer: str | None = None,
        department_code: str | None = None,
        expected_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[RowMapping, RowMapping, bool]:
        """Apply one action; (ticket after, event, applied?). Raises NotFound/InputError/
        workflow.TransitionError. A repeated idempotency_key returns the earlier event."""
        note = (note or "").strip() or None
        answer = (answer or "").strip() or None
        async with self.write_lock, self.engine.begin() as conn:
            # FOR UPDATE: two actions on one ticket at once must not both read the old status.
            query = select(tickets).where(tickets.c.ticket_no == ticket_no).with_for_update()
            ticket = (await conn.execute(query)).mappings().first()
            if ticket is None:
                raise NotFound(ticket_no)
            if idempotency_key:
                earlier = (
                    (
                        await conn.execute(
                            select(events).where(events.c.idempotency_key == idempotency_key)
                        )
                    )
                    .mappings()
                    .first()
                )
                if earlier is not None:
                    return ticket, earlier, False
            status = workflow.next_status(
                ticket["status"], action, reopen_count=ticket["reopen_count"]
            )
            if action == "extend" or action in workflow.EXTENSION_DECISIONS:
                await self._check_extension(conn, ticket["id"], action, operator)
            now = utcnow()
            changes = workflow.changes_for(
                ticket,
                action,
                note=note,
                answer=answer,
                department_code=department_code,
                expected_at=expected_at,
                now=now,
                known_department=lambda code: self.directory.get(code) is not None,
            )
            changes.update(status=status, updated_at=now)
            await conn.execute(update(tickets).where(tickets.c.id == ticket["id"]).values(changes))
            ticket = await self._load(conn, ticket["id"])
            event = await self._record(
                conn,
                ticket,
                action,
                note=note,
                now=now,
                operator=operator,
                idempotency_key=idempotency_key,
                expected_at=expected_at if action in workflow.DATED_ACTIONS else None,
            )
            if operator is not None:  # a person in the console: into the audit log as well
                detail = {"event_id": event["event_id"], "status": ticket["status"]}
                await audit.record(
                    conn, action, operator=operator, now=now, ticket_no=ticket_no, detail=detail
                )
        self._on_enqueue()
        return ticket, event, True

    async def _check_extension(
        self, conn: AsyncConnection, ticket_id: int, action: str, operator: str | None
    ) -> None:
        rows = await conn.execute(
            select(events.c.action, events.c.operator)
            .where(events.c.ticket_id == ticket_id)
            .order_by(events.c.id)
        )
        pending = workflow.pending_extension(rows.mappings().all())
        workflow.check_extension(action, pending, decider=operator)

    async def _load(self, conn: AsyncConnection, ticket_id: int) -> RowMapping:
        row = await conn.execute(select(tickets).where(tickets.c.id == ticket_id))
        return row.mappings().one()

    async def _record(
        self,
        conn: AsyncConnection,
        ticket: RowMapping,
        action: str,
        *,
        note: str | None,
        now: datetime,
        operator: str | None = None,
        idempotency_key: str | None = None,
        expected_at: datetime | None = None,
    ) -> RowMapping:
        values = _event_values(
            ticket,
            action,
            now,
            note=note,
            operator=operator,
            idempotency_key=idempotency_key,
            expected_at=expected_at,
        )
        event = (await conn.execute(insert(events).returning(*events.c), values)).mappings().one()
        await self._queue_callbacks(conn, [(ticket, values)], now)
        return event

    async def _record_submits(
        self, conn: AsyncConnection, new_tickets: Sequence[RowMapping], now: datetime
    ) -> None:
        """The submit event of each new ticket, in one multi-row insert."""
        recorded = [(ticket, _event_values(ticket, "submit", now)) for ticket in new_tickets]
        await conn.execute(insert(events), [event for _, event in recorded])
        await self._queue_callbacks(conn, recorded, now)

    async def _queue_callbacks(
        self,
        conn: AsyncConnection,
        recorded: Sequence[tuple[Mapping[Any, Any], Mapping[str, Any]]],
        now: datetime,
    ) -> None:
        if not self.callbacks_enabled:
            return
        rows = [
            {
                "event_id": event["event_id"],
                "ticket_id": ticket["id"],
                "payload": json.dumps(callback_payload(ticket, event), ensure_ascii=False),
                "attempts": 0,
                "next_attempt_at": now,
                "delivered": False,
                "gave_up": False,
            }
            for ticket, event in recorded
        ]
        await conn.execute(insert(callbacks), rows)


def _event_values(
    ticket: Mapping[Any, Any],
    action: str,
    now: datetime,
    *,
    note: str | None = None,
    operator: str | None = None,
    idempotency_key: str | None = None,
    expected_at: datetime | None = None,
) -> dict[str, Any]:
    """An intake_events row for `action` on `ticket` (its status after the action)."""
    return {
        "event_id": f"evt_{uuid.uuid4().hex}",
        "ticket_id": ticket["id"],
        "action": action,
        "status": ticket["status"],
        "note": note,
        "answer": ticket["answer"] if action == "answer" else None,
        "operator": operator,
        "department_code": ticket["department_code"],
        "expected_at": expected_at,  # 延期: the date asked for, or granted
        "idempotency_key": idempotency_key,
        "created_at": now,
    }
