"""The 督办 detection pass on a real SQLite database: each trigger puts the report on the desk
once with its reason; a second trigger adds a reason to the same case; a closed case triggered
by a new reason opens again; nothing is detected for a report that meets no trigger."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.outbox import DeputyUrge, to_row
from bot.services.supervision.detection import SupervisionDetector, SupervisionRules
from storage.models import (
    Rating,
    SupervisionCase,
    SupervisionNote,
    SupervisionState,
    TicketEvent,
)
from storage.uow import UnitOfWorkFactory
from tests.unit.test_deadline_watch import at, seed_ticket, ticket_of

RULES = SupervisionRules(overdue_margin=timedelta(hours=24), urge_times=2)


async def cases(uow_factory: UnitOfWorkFactory) -> list[SupervisionCase]:
    async with uow_factory() as uow:
        return list(
            await uow.session.scalars(select(SupervisionCase).order_by(SupervisionCase.id))
        )


async def test_a_fresh_ticket_is_not_on_the_desk(uow_factory: UnitOfWorkFactory) -> None:
    await seed_ticket(uow_factory, at("2026-11-25 10:00"))
    done = await SupervisionDetector(uow_factory, RULES).run_once(at("2026-11-26 10:00"))
    assert (done.opened, done.reasons_added) == (0, 0)
    assert await cases(uow_factory) == []


async def test_overdue_beyond_the_margin_only(uow_factory: UnitOfWorkFactory) -> None:
    report_id = await seed_ticket(uow_factory, at("2026-11-25 10:00"))
    due = (await ticket_of(uow_factory, report_id)).due_at
    assert due is not None
    detector = SupervisionDetector(uow_factory, RULES)
    await detector.run_once(due + timedelta(hours=23))
    assert await cases(uow_factory) == []
    await detector.run_once(due + timedelta(hours=25))
    await detector.run_once(due + timedelta(hours=26))  # again: no second reason, no new case
    [case] = await cases(uow_factory)
    assert (case.report_id, case.reasons, case.state) == (report_id, ["overdue"], "open")


async def test_each_trigger_adds_its_reason_to_one_case(uow_factory: UnitOfWorkFactory) -> None:
    report_id = await seed_ticket(uow_factory, at("2026-11-25 10:00"))
    ticket = await ticket_of(uow_factory, report_id)
    async with uow_factory() as uow:
        deputy_id = (await uow.reports.get(report_id)).deputy_id  # type: ignore[union-attr]
        for round_ in (1, 2):
            uow.session.add(
                Rating(
                    report_id=report_id,
                    deputy_id=deputy_id,
                    score="不满意",
                    comment="没修",
                    round=round_,
                )
            )
        for day in (26, 27):
            uow.outbox.add(to_row(DeputyUrge(report_id, at(f"2026-11-{day} 09:00").date())))
        for n in (1, 2):
            uow.session.add(
                TicketEvent(ticket_id=ticket.id, external_event_id=f"r{n}", status="退回")
            )
        await uow.commit()
    done = await SupervisionDetector(uow_factory, RULES).run_once(at("2026-11-26 10:00"))
    assert (done.opened, done.reasons_added) == (1, 3)
    [case] = await cases(uow_factory)
    assert case.reasons == ["second_unsatisfied", "urged", "returned_twice"]
    async with uow_factory() as uow:
        notes = list(await uow.session.scalars(select(SupervisionNote.text)))
    assert notes == ["重办后仍不满意", "代表多次催办", "两次退单"]


async def test_a_closed_case_opens_again_for_a_new_reason(uow_factory: UnitOfWorkFactory) -> None:
    report_id = await seed_ticket(uow_factory, at("2026-11-25 10:00"), status="已办结")
    async with uow_factory() as uow:
        uow.session.add(
            SupervisionCase(
                report_id=report_id,
                reasons=["flagged"],
                state=SupervisionState.CLOSED.value,
                outcome="已解决",
                closed_at=at("2026-11-26 10:00"),
            )
        )
        ticket = await uow.reports.ticket(report_id)
        assert ticket is not None
        ticket.recurrence_count = 1
        await uow.commit()
    await SupervisionDetector(uow_factory, RULES).run_once(at("2026-11-27 10:00"))
    [case] = await cases(uow_factory)
    assert (case.reasons, case.state, case.closed_at) == (["flagged", "recurrence"], "open", None)
