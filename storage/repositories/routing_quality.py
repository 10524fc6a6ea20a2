"""Counts behind the routing-quality page: reviewed routing decisions, grouped by period and by
(classifier's department, admin's final department) — never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RoutingDecision
from storage.repositories import sql_periods

REVIEWED = ("confirmed", "corrected")


@dataclass(frozen=True)
class DecisionCell:
    """Reviewed decisions of one period with this suggested → final department pair."""

    period: str  # 'YYYY-MM' or the Monday 'YYYY-MM-DD' of a week (China time)
    suggested_id: int | None  # the classifier's department; None: it had no suggestion
    final_id: int | None  # the department after the admin's review
    decisions: int


class RoutingQualityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def reviewed_cells(
        self, period: str, start: datetime | None, end: datetime | None
    ) -> list[DecisionCell]:
        """Decisions made in [start, end) (UTC) that an admin confirmed or corrected."""
        dialect = self._session.bind.dialect.name
        bucket = (sql_periods.week if period == "week" else sql_periods.month)(
            dialect, RoutingDecision.created_at
        ).label("period")
        query: Any = select(
            bucket,
            RoutingDecision.suggested_department_id,
            RoutingDecision.department_id,
            func.count(),
        ).where(RoutingDecision.review_status.in_(REVIEWED))
        if start is not None:
            query = query.where(RoutingDecision.created_at >= start)
        if end is not None:
            query = query.where(RoutingDecision.created_at < end)
        query = query.group_by(
            bucket, RoutingDecision.suggested_department_id, RoutingDecision.department_id
        )
        rows = await self._session.execute(query)
        return [DecisionCell(row[0], row[1], row[2], int(row[3])) for row in rows]
