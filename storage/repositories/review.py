"""Queries behind the admin console's review pages: the routing decision log, the triage queue,
dead letters and the counts on the front page (never commits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    OutboxMessage,
    OutboxStatus,
    Report,
    ReportStatus,
    RoutingDecision,
    TicketEvent,
)

T = TypeVar("T", bound=tuple[Any, ...])


@dataclass(frozen=True)
class DecisionFilter:
    department_id: int | None = None  # the final department
    district_id: int | None = None
    min_confidence: float | None = None  # inclusive
    max_confidence: float | None = None  # exclusive
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    review_status: str | None = None
    report_status: str | None = None


class ReviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def decision_page(
        self, where: DecisionFilter, offset: int, limit: int
    ) -> tuple[list[tuple[RoutingDecision, Report]], int]:
        """Newest first: the decisions matching `where`, with their reports, and the total."""
        query = _filtered(select(RoutingDecision, Report), where)
        total = await self._session.scalar(
            _filtered(select(func.count()).select_from(RoutingDecision), where)
        )
        rows = await self._session.execute(
            query.order_by(RoutingDecision.id.desc()).offset(offset).limit(limit)
        )
        return [(decision, report) for decision, report in rows.tuples()], total or 0

    async def decision(self, decision_id: int) -> RoutingDecision | None:
        return await self._session.get(RoutingDecision, decision_id)

    async def claim_decision(self, decision: RoutingDecision, now: datetime) -> bool:
        """Compare-and-set before a review: True when the row still has the review state
        `decision` was read with (nobody reviewed it meanwhile). The row then stays locked to
        other writers until this transaction ends, so of two reviews at once only one lands."""
        seen: ColumnElement[bool] = (
            RoutingDecision.reviewed_at.is_(None)
            if decision.reviewed_at is None
            else RoutingDecision.reviewed_at == decision.reviewed_at
        )
        result = await self._session.execute(
            update(RoutingDecision)
            .where(
                RoutingDecision.id == decision.id,
                RoutingDecision.review_status == decision.review_status,
                seen,
            )
            .values(reviewed_at=now)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    async def claim_triage_report(self, report_id: int) -> bool:
        """Takes a report out of the triage queue: True only for the one assignment that did
        (of two operators assigning it at once, the other gets False)."""
        result = await self._session.execute(
            update(Report)
            .where(Report.id == report_id, Report.status == ReportStatus.TRIAGE)
            .values(status=ReportStatus.SUBMITTED)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    async def latest_decision(self, report_id: int) -> RoutingDecision | None:
        return await self._session.scalar(
            select(RoutingDecision)
            .where(RoutingDecision.report_id == report_id)
            .order_by(RoutingDecision.id.desc())
            .limit(1)
        )

    async def triage_page(self, offset: int, limit: int) -> tuple[list[Report], int]:
        """Oldest first: whoever waited longest is routed first."""
        where = Report.status == ReportStatus.TRIAGE
        total = await self._session.scalar(select(func.count()).select_from(Report).where(where))
        rows = await self._session.scalars(
            select(Report)
            .where(where)
            .order_by(Report.created_at, Report.id)
            .offset(offset)
            .limit(limit)
        )
        return list(rows), total or 0

    async def decisions_of(self, report_ids: Sequence[int]) -> dict[int, RoutingDecision]:
        """The latest decision of each report."""
        if not report_ids:
            return {}
        rows = await self._session.scalars(
            select(RoutingDecision)
            .where(RoutingDecision.report_id.in_(report_ids))
            .order_by(RoutingDecision.id)
        )
        return {decision.report_id: decision for decision in rows}

    async def last_event(self, ticket_id: int, status: str) -> TicketEvent | None:
        return await self._session.scalar(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id, TicketEvent.status == status)
            .order_by(TicketEvent.occurred_at.desc(), TicketEvent.id.desc())
            .limit(1)
        )

    async def outbox_by_key(self, idempotency_key: str) -> OutboxMessage | None:
        return await self._session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
        )

    async def dead_letters(self) -> list[tuple[OutboxMessage, Report | None]]:
        rows = await self._session.execute(
            select(OutboxMessage, Report)
            .outerjoin(Report, Report.id == OutboxMessage.report_id)
            .where(OutboxMessage.status == OutboxStatus.DEAD)
            .order_by(OutboxMessage.id)
        )
        return [(message, report) for message, report in rows.tuples()]

    async def pending_review_count(self) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(RoutingDecision)
            .where(RoutingDecision.review_status == "pending")
        )
        return count or 0

    async def triage_count(self) -> int:
        count = await self._session.scalar(
            select(func.count()).select_from(Report).where(Report.status == ReportStatus.TRIAGE)
        )
        return count or 0

    async def dead_letter_count(self) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.DEAD)
        )
        return count or 0


def _filtered(query: Select[T], where: DecisionFilter) -> Select[T]:
    query = query.join(Report, Report.id == RoutingDecision.report_id)
    if where.department_id is not None:
        query = query.where(RoutingDecision.department_id == where.department_id)
    if where.district_id is not None:
        query = query.where(Report.district_id == where.district_id)
    if where.min_confidence is not None:
        query = query.where(RoutingDecision.confidence >= where.min_confidence)
    if where.max_confidence is not None:
        query = query.where(RoutingDecision.confidence < where.max_confidence)
    if where.since is not None:
        query = query.where(RoutingDecision.created_at >= where.since)
    if where.until is not None:
        query = query.where(RoutingDecision.created_at < where.until)
    if where.review_status:
        query = query.where(RoutingDecision.review_status == where.review_status)
    if where.report_status:
        query = query.where(Report.status == where.report_status)
    return query
