"""The deputy's own 催办 on a real SQLite database: at most once per China calendar day, only
for a report the hotline holds and has not answered, and only by its own deputy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.services.feedback.urging import UrgeOutcome, UrgeService
from storage.models import Deputy, OutboxMessage, ReportStatus
from storage.uow import UnitOfWorkFactory
from tests.unit.test_deadline_watch import at, outbox, seed_ticket


async def urge(uow_factory: UnitOfWorkFactory, report_id: int, when: datetime) -> UrgeOutcome:
    async with uow_factory() as uow:
        deputy = await uow.session.scalar(select(Deputy))
        assert deputy is not None
        return await UrgeService(uow).urge(deputy.id, report_id, actor="test", now=when)


async def test_a_deputy_may_urge_once_a_china_calendar_day(
    uow_factory: UnitOfWorkFactory,
) -> None:
    report_id = await seed_ticket(uow_factory, at("2026-11-25 10:00"))
    assert await urge(uow_factory, report_id, at("2026-11-26 09:00")) is UrgeOutcome.URGED
    for later in ("2026-11-26 09:01", "2026-11-26 23:59"):
        assert await urge(uow_factory, report_id, at(later)) is UrgeOutcome.ALREADY_TODAY
    # Past midnight in China (16:00 UTC) is another day, whatever the UTC date says.
    assert await urge(uow_factory, report_id, at("2026-11-27 00:01")) is UrgeOutcome.URGED
    messages: list[OutboxMessage] = await outbox(uow_factory)
    assert [(m.kind, m.idempotency_key) for m in messages] == [
        ("urge", f"urge-{report_id}-20261126"),
        ("urge", f"urge-{report_id}-20261127"),
    ]


async def test_an_answered_report_or_someone_elses_cannot_be_urged(
    uow_factory: UnitOfWorkFactory,
) -> None:
    answered = await seed_ticket(uow_factory, at("2026-11-25 10:00"), status=ReportStatus.ANSWERED)
    assert await urge(uow_factory, answered, at("2026-11-26 09:00")) is UrgeOutcome.NOT_URGEABLE
    async with uow_factory() as uow:
        deputy = await uow.session.scalar(select(Deputy))
        assert deputy is not None
        stranger = await UrgeService(uow).urge(
            deputy.id + 1, answered, actor="test", now=at("2026-11-26 09:00")
        )
    assert stranger is UrgeOutcome.NOT_FOUND
    assert await outbox(uow_factory) == []
