"""A report's page shows the handling deadline while the department owes an answer, and the new
one after a reopen (the earlier answer's time stays recorded)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.services.reporting.history import ReportHistoryService
from storage.models import Deputy, ReportStatus, Ticket
from storage.uow import UnitOfWorkFactory
from tests.unit.test_deadline_watch import at, seed_ticket


async def _due_shown(uow_factory: UnitOfWorkFactory, report_id: int) -> datetime | None:
    async with uow_factory() as uow:
        deputy_id = await uow.session.scalar(select(Deputy.id))
        assert deputy_id is not None
        detail = await ReportHistoryService(uow).detail(deputy_id, report_id)
        assert detail is not None
        return detail.due_at


async def test_the_deadline_shows_while_owed_and_again_after_a_reopen(
    uow_factory: UnitOfWorkFactory,
) -> None:
    report_id = await seed_ticket(uow_factory, at("2026-11-23 09:00"))
    first_due = await _due_shown(uow_factory, report_id)
    assert first_due is not None

    async with uow_factory() as uow:  # answered: nothing owed, no deadline to show
        ticket = await uow.session.scalar(select(Ticket))
        assert ticket is not None
        ticket.status, ticket.answered_at = ReportStatus.ANSWERED, at("2026-11-24 10:00")
        await uow.commit()
    assert await _due_shown(uow_factory, report_id) is None

    async with uow_factory() as uow:  # 不满意 → reopened, handled again with a new deadline
        ticket = await uow.session.scalar(select(Ticket))
        assert ticket is not None
        ticket.status, ticket.due_at = ReportStatus.IN_PROGRESS, at("2026-12-10 17:30")
        await uow.commit()
    assert await _due_shown(uow_factory, report_id) == at("2026-12-10 17:30")
