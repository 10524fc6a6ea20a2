"""The console's front page: how much work is waiting."""

from __future__ import annotations

from dataclasses import dataclass

from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Overview:
    pending_reviews: int
    triage: int
    dead_letters: int | None  # None: not shown to this role


async def overview(uow: UnitOfWork, *, with_dead_letters: bool) -> Overview:
    dead = await uow.review.dead_letter_count() if with_dead_letters else None
    return Overview(
        pending_reviews=await uow.review.pending_review_count(),
        triage=await uow.review.triage_count(),
        dead_letters=dead,
    )
