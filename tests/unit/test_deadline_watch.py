"""The deadline watch on a real SQLite database with an injected clock: 预警 once, automatic
催办 + 督办 + the deputy told once, the working-day calendar (国庆, 调休), 延期 pauses."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.core.clock import CHINA_TIME
from bot.core.outbox import from_row
from bot.hotline.notes import hotline_note
from bot.services.tickets.deadline_watch import DeadlineWatch
from bot.services.tickets.deadlines import DeadlinePolicy, WorkCalendar, parse_dates
from bot.services.tickets.updates import HotlineEvent, TicketUpdateService
from storage.models import AuditLog, Deputy, OutboxMessage, Report, ReportStatus, Ticket
from storage.uow import UnitOfWorkFactory
from tests.doubles import RecordingNotifier

DEPUTY_CHAT = 880001
# National Day 2026: 10-01..10-07 off, Sunday 09-27 and Saturday 10-10 worked (调休).
NATIONAL_DAY = WorkCalendar(
    holidays=parse_dates("2026-10-01,2026-10-02,2026-10-05,2026-10-06,2026-10-07"),
    extra_workdays=parse_dates("2026-09-27,2026-10-10"),
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TIME)


async def seed_ticket(
    uow_factory: UnitOfWorkFactory,
    delivered: datetime,
    *,
    policy: DeadlinePolicy | None = None,
    appeal_type: str = "咨询",
    accepted: bool = True,
    status: str = ReportStatus.IN_PROGRESS,
    number: str = "SY20261125-0001",
) -> int:
    """A delivered report with its ticket, deadlines set as the outbox worker sets them."""
    policy = policy or DeadlinePolicy()
    async with uow_factory() as uow:
        deputy = await uow.session.scalar(select(Deputy))
        if deputy is None:
            deputy = Deputy(
                name="李代表", phone="13800000001", level="市", telegram_user_id=DEPUTY_CHAT
            )
            uow.session.add(deputy)
            await uow.session.flush()
        report = Report(
            number=number,
            deputy_id=deputy.id,
            text="城西街道幸福小区3栋电梯停运两个月，物业不予维修。",
            summary="幸福小区电梯停运",
            appeal_type=appeal_type,
            status=status,
        )
        uow.session.add(report)
        await uow.session.flush()
        uow.session.add(
            Ticket(
                report_id=report.id,
                adapter="http",
                external_id=f"T-{number}",
                status=status,
                accept_due_at=policy.accept_due(delivered),
                due_at=policy.handle_due(delivered, appeal_type, "一般"),
                accepted_at=delivered + timedelta(minutes=30) if accepted else None,
            )
        )
        await uow.commit()
        return report.id


async def outbox(uow_factory: UnitOfWorkFactory) -> list[OutboxMessage]:
    async with uow_factory() as uow:
        return list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def ticket_of(uow_factory: UnitOfWorkFactory, report_id: int) -> Ticket:
    async with uow_factory() as uow:
        ticket = await uow.reports.ticket(report_id)
        assert ticket is not None
        return ticket


async def audit_actions(uow_factory: UnitOfWorkFactory) -> list[str]:
    async with uow_factory() as uow:
        return list(await uow.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


async def test_a_warning_reaches_the_hotline_once_before_the_deadline(
    uow_factory: UnitOfWorkFactory,
) -> None:
    report_id = await seed_ticket(uow_factory, at("2026-11-25 10:00"))  # 咨询: Mon 11-30 17:30
    notifier = RecordingNotifier()
    watch = DeadlineWatch(uow_factory, notifier, warning_hours=4)

    early = await watch.run_once(at("2026-11-30 13:00"))  # 4h30 of office time left
    assert (early.warnings, early.overdue) == (0, 0)
    assert await outbox(uow_factory) == []

    warned = await watch.run_once(at("2026-11-30 13:45"))
    assert (warned.warnings, warned.overdue) == (1, 0)
    (message,) = await outbox(uow_factory)
    assert message.kind == "urge" and message.report_id == report_id
    assert message.idempotency_key.startswith(f"deadline-warning-{report_id}-handle-")
    note = hotline_note(from_row(message))  # what the hotline's operators read
    assert "自动预警" in note and "2026-11-30 17:30" in note
    ticket = await ticket_of(uow_factory, report_id)
    assert ticket.due_warned_for == ticket.due_at and not ticket.escalated
    assert notifier.sent == []  # a warning is for the operators, not the deputy

    again = await watch.run_once(at("2026-11-30 15:00"))
    assert (again.warnings, again.overdue) == (0, 0)
    assert len(await outbox(uow_factory)) == 1
    assert await audit_actions(uow_factory) == ["ticket.deadline_warning"]


async def test_overdue_is_pressed_escalated_and_told_once_even_with_two_watchers(
    uow_factory: UnitOfWorkFactory,
) -> None:
    report_id = await seed_ticket(uow_factory, at("2026-11-25 10:00"))
    notifier = RecordingNotifier()
    first = DeadlineWatch(uow_factory, notifier)
    second = DeadlineWatch(uow_factory, notifier)  # another process on the same database

    late = at("2026-11-30 17:31")
    passes = await asyncio.gather(first.run_once(late), second.run_once(late))
    assert sum(p.overdue for p in passes) == 1
    assert sum(p.warnings for p in passes) == 0  # past the deadline: straight to 催办
    (message,) = await outbox(uow_factory)
    assert message.kind == "urge"
    assert message.idempotency_key.startswith(f"deadline-overdue-{report_id}-handle-")
    assert "自动催办" in hotline_note(from_row(message))
    ticket = await ticket_of(uow_factory, report_id)
    assert ticket.escalated and ticket.due_overdue_for == ticket.due_at
    ((chat, text),) = notifier.sent
    assert chat == DEPUTY_CHAT
    assert "超期" in text and "催办" in text and "督办" in text and "SY20261125-0001" in text

    for watch in (first, second):  # later passes find nothing left to do
        later = await watch.run_once(at("2026-12-01 09:00"))
        assert (later.warnings, later.overdue) == (0, 0)
    assert len(await outbox(uow_factory)) == 1 and len(notifier.sent) == 1
    assert await audit_actions(uow_factory) == ["ticket.deadline_overdue"]


async def test_a_ticket_not_accepted_in_time_is_pressed_for_acceptance(
    uow_factory: UnitOfWorkFactory,
) -> None:
    report_id = await seed_ticket(
        uow_factory, at("2026-11-25 16:00"), accepted=False, status=ReportStatus.SUBMITTED
    )
    notifier = RecordingNotifier()
    watch = DeadlineWatch(uow_factory, notifier, accept_warning_hours=0.5)
    # 受理 within 2 office hours: 1h30 today, 30 min tomorrow → Thu 09:00; 预警 at 08:30.
    assert (await watch.run_once(at("2026-11-25 20:00"))).warnings == 0  # evening: no time runs
    assert (await watch.run_once(at("2026-11-26 08:40"))).warnings == 1
    result = await watch.run_once(at("2026-11-26 09:05"))
    assert result.overdue == 1
    keys = [m.idempotency_key for m in await outbox(uow_factory)]
    assert keys[0].startswith(f"deadline-warning-{report_id}-accept-")
    assert keys[1].startswith(f"deadline-overdue-{report_id}-accept-")
    ((_, text),) = notifier.sent
    assert "未在规定时间内受理" in text
    assert (await ticket_of(uow_factory, report_id)).escalated


async def test_a_deadline_across_national_day_lands_after_it_and_a_makeup_saturday_counts(
    uow_factory: UnitOfWorkFactory,
) -> None:
    policy = DeadlinePolicy(NATIONAL_DAY)
    # Filed Wed 09-30: 10-08 (Thu), 10-09 (Fri) and the worked Saturday 10-10 are 3 days.
    report_id = await seed_ticket(uow_factory, at("2026-09-30 15:00"), policy=policy)
    ticket = await ticket_of(uow_factory, report_id)
    assert ticket.due_at == at("2026-10-10 17:30")
    watch = DeadlineWatch(uow_factory, RecordingNotifier(), policy, warning_hours=12)
    # 12 office hours before Sat 17:30: the whole Saturday (9h) and 3h of Friday → Fri 14:30.
    for quiet in ("2026-10-03 12:00", "2026-10-07 17:00", "2026-10-09 14:00"):
        assert (await watch.run_once(at(quiet))).warnings == 0, quiet
    assert (await watch.run_once(at("2026-10-09 14:45"))).warnings == 1
    assert (await watch.run_once(at("2026-10-10 17:00"))).overdue == 0  # the Saturday counts
    assert (await watch.run_once(at("2026-10-10 17:31"))).overdue == 1
    # Backwards over the holiday: 4 office hours before Thu 10-08 10:30 is Wed 09-30 15:30.
    assert NATIONAL_DAY.subtract_working_hours(at("2026-10-08 10:30"), 4) == at("2026-09-30 15:30")


def _event(
    number: str, event_id: str, action: str, when: datetime, **extra: object
) -> HotlineEvent:
    return HotlineEvent(
        event_id=event_id,
        external_id=f"T-{number}",
        status="办理中",
        occurred_at=when,
        action=action,
        **extra,  # type: ignore[arg-type]
    )


async def test_a_pending_extension_pauses_the_clock_and_approval_moves_the_deadline(
    uow_factory: UnitOfWorkFactory,
) -> None:
    number = "SY20261125-0001"
    report_id = await seed_ticket(uow_factory, at("2026-11-25 10:00"))  # due Mon 11-30 17:30
    notifier = RecordingNotifier()
    updates = TicketUpdateService(uow_factory, notifier)
    watch = DeadlineWatch(uow_factory, notifier, warning_hours=4)

    await updates.process(
        _event(
            number,
            "e1",
            "extend",
            at("2026-11-30 09:00"),
            note="需协调物业",
            expected_at=at("2026-12-04 18:00"),
        )
    )
    assert (await ticket_of(uow_factory, report_id)).extension_pending
    ((_, told),) = notifier.sent
    assert "申请延期" in told
    for moment in ("2026-11-30 14:00", "2026-12-01 09:00", "2026-12-03 12:00"):
        paused = await watch.run_once(at(moment))
        assert (paused.warnings, paused.overdue) == (0, 0), moment
    assert await outbox(uow_factory) == []

    await updates.process(
        _event(
            number,
            "e2",
            "extend_approve",
            at("2026-12-03 12:00"),
            expected_at=at("2026-12-04 18:00"),
        )
    )
    ticket = await ticket_of(uow_factory, report_id)
    assert not ticket.extension_pending and ticket.due_at == at("2026-12-04 18:00")
    assert "已批准延期" in notifier.sent[-1][1] and "2026-12-04 18:00" in notifier.sent[-1][1]
    assert (await watch.run_once(at("2026-12-03 12:05"))).overdue == 0
    assert (await watch.run_once(at("2026-12-04 18:01"))).overdue == 1


async def test_a_refused_extension_moves_the_deadline_by_the_paused_time(
    uow_factory: UnitOfWorkFactory,
) -> None:
    number = "SY20261125-0001"
    report_id = await seed_ticket(uow_factory, at("2026-11-25 10:00"))  # due Mon 11-30 17:30
    updates = TicketUpdateService(uow_factory, RecordingNotifier())
    watch = DeadlineWatch(uow_factory, RecordingNotifier())
    await updates.process(
        _event(
            number,
            "e1",
            "extend",
            at("2026-11-30 15:30"),
            note="需协调",
            expected_at=at("2026-12-10 18:00"),
        )
    )
    await updates.process(
        _event(number, "e2", "extend_reject", at("2026-12-01 15:30"), note="理由不充分")
    )
    ticket = await ticket_of(uow_factory, report_id)
    assert not ticket.extension_pending
    assert ticket.due_at == at("2026-12-01 17:30")  # one day later: the day it stood still
    assert (await watch.run_once(at("2026-12-01 17:00"))).overdue == 0
    assert (await watch.run_once(at("2026-12-01 17:31"))).overdue == 1


async def test_a_reopened_ticket_gets_a_fresh_deadline_not_an_old_overdue(
    uow_factory: UnitOfWorkFactory,
) -> None:
    number = "SY20261125-0001"
    report_id = await seed_ticket(uow_factory, at("2026-11-25 10:00"), status=ReportStatus.CLOSED)
    notifier = RecordingNotifier()
    await TicketUpdateService(uow_factory, notifier).process(
        _event(number, "e1", "reopen", at("2026-12-20 10:00"), note="不满意")
    )
    watch = DeadlineWatch(uow_factory, notifier)
    result = await watch.run_once(at("2026-12-21 10:00"))  # Monday
    assert (result.armed, result.overdue) == (1, 0)
    ticket = await ticket_of(uow_factory, report_id)
    assert ticket.due_at == at("2026-12-24 17:30")  # 咨询: three working days from now
    assert await outbox(uow_factory) == []


async def test_warning_then_urge_then_escalation_each_exactly_once(
    uow_factory: UnitOfWorkFactory,
) -> None:
    report_id = await seed_ticket(uow_factory, at("2026-11-25 10:00"))  # due Mon 11-30 17:30
    notifier = RecordingNotifier()
    watch = DeadlineWatch(uow_factory, notifier, warning_hours=4)
    moments = ["2026-11-30 13:45", "2026-11-30 15:00", "2026-11-30 17:31", "2026-12-01 09:00"]
    passes = [await watch.run_once(at(moment)) for moment in moments * 2]
    assert [(p.warnings, p.overdue) for p in passes] == [(1, 0), (0, 0), (0, 1)] + [(0, 0)] * 5
    stages = [m.idempotency_key.split("-")[1] for m in await outbox(uow_factory)]
    assert stages == ["warning", "overdue"]  # 预警, then the automatic 催办
    assert await audit_actions(uow_factory) == [
        "ticket.deadline_warning",
        "ticket.deadline_overdue",
    ]
    assert (await ticket_of(uow_factory, report_id)).escalated  # 督办
    assert len(notifier.sent) == 1  # the deputy hears of it once
