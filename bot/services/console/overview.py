"""The console's front page: how much work is waiting, and whether the hotline is reachable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.base import utcnow
from storage.repositories.delivery import Outage
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Overview:
    pending_reviews: int
    triage: int
    dead_letters: int | None  # None: not shown to this role
    outage: Outage | None = None  # messages failing longer than `outage_after`
    supervision: int = 0  # 督办 cases not closed yet


async def overview(
    uow: UnitOfWork,
    *,
    with_dead_letters: bool,
    outage_after: timedelta = timedelta(minutes=5),
    now: datetime | None = None,
) -> Overview:
    dead = await uow.review.dead_letter_count() if with_dead_letters else None
    return Overview(
        pending_reviews=await uow.review.pending_review_count(),
        triage=await uow.review.triage_count(),
        dead_letters=dead,
        outage=await uow.delivery.outage((now or utcnow()) - outage_after),
        supervision=await uow.supervision.count_active(),
    )
