"""复发 回访 on a real SQLite database with an injected clock: asked once, after the configured
days; 复发 reopens the same ticket and counts it; 已解决 is recorded; replays change nothing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update

from bot.core.outbox import from_row
from bot.hotline.notes import hotline_note
from bot.services.feedback.recurrence import (
    RecurrenceCheck,
    RecurrenceOutcome,
    RecurrenceQuestion,
    RecurrenceService,
)
from bot.texts.recurrence import recurrence_question
from storage.models import Deputy, Report, ReportStatus, Ticket
from storage.uow import UnitOfWorkFactory
from tests.unit.test_deadline_watch import DEPUTY_CHAT, at, outbox, seed_ticket, ticket_of

CLOSED_AT = at("2026-12-01 10:00")


@dataclass
class RecordingPrompter:
    asked: list[tuple[int, str, RecurrenceQuestion]] = field(default_factory=list)

    async def ask_recurrence(self, telegram_user_id: int, question: RecurrenceQuestion) -> None:
        """Kept as the deputy would read it, in the bot's words."""
        self.asked.append((telegram_user_id, recurrence_question(question), question))


async def closed_report(
    uow_factory: UnitOfWorkFactory, *, number: str = "SY20261125-0001", reopens: int = 0
) -> int:
    report_id = await seed_ticket(
        uow_factory, at("2026-11-25 10:00"), status=ReportStatus.CLOSED, number=number
    )
    async with uow_factory() as uow:
        await uow.session.execute(
            update(Ticket)
            .where(Ticket.report_id == report_id)
            .values(closed_at=CLOSED_AT, reopen_count=reopens)
        )
        await uow.commit()
    return report_id


async def deputy_id(uow_factory: UnitOfWorkFactory) -> int:
    async with uow_factory() as uow:
        deputy = await uow.session.scalar(select(Deputy))
        assert deputy is not None
        return deputy.id


async def answer(
    uow_factory: UnitOfWorkFactory, report_id: int, round_: int, *, recurred: bool, who: int
) -> RecurrenceOutcome:
    async with uow_factory() as uow:
        result = await RecurrenceService(uow).answer(
            who, report_id, round_, recurred=recurred, actor="test"
        )
        return result.outcome


async def test_the_question_is_asked_once_after_the_configured_days(
    uow_factory: UnitOfWorkFactory,
) -> None:
    report_id = await closed_report(uow_factory)
    prompter = RecordingPrompter()
    check = RecurrenceCheck(uow_factory, prompter, check_days=15)
    other = RecurrenceCheck(uow_factory, prompter, check_days=15)  # a second process
    assert await check.run_once(CLOSED_AT + timedelta(days=14)) == 0
    due = CLOSED_AT + timedelta(days=15, minutes=1)
    assert sum(await asyncio.gather(check.run_once(due), other.run_once(due))) == 1
    ((chat, text, question),) = prompter.asked
    assert chat == DEPUTY_CHAT and "SY20261125-0001" in text and "是否" in text
    assert question == RecurrenceQuestion(report_id, 1)
    assert await check.run_once(due + timedelta(days=1)) == 0
    assert len(prompter.asked) == 1


async def test_reports_closed_long_before_the_check_are_not_asked(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await closed_report(uow_factory)
    prompter = RecordingPrompter()
    check = RecurrenceCheck(uow_factory, prompter, check_days=15)
    assert await check.run_once(CLOSED_AT + timedelta(days=60)) == 0
    assert prompter.asked == []


async def asked(uow_factory: UnitOfWorkFactory) -> RecurrenceQuestion:
    prompter = RecordingPrompter()
    check = RecurrenceCheck(uow_factory, prompter, check_days=15)
    await check.run_once(CLOSED_AT + timedelta(days=16))
    ((_, _, question),) = prompter.asked
    return question


async def test_recurred_reopens_the_same_ticket_and_counts_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    report_id = await closed_report(uow_factory)
    question = await asked(uow_factory)
    owner = await deputy_id(uow_factory)

    stranger = await answer(uow_factory, report_id, question.round, recurred=True, who=owner + 1)
    assert stranger is RecurrenceOutcome.NOT_FOUND
    forged = await answer(uow_factory, report_id, question.round + 1, recurred=True, who=owner)
    assert forged is RecurrenceOutcome.STALE
    assert await outbox(uow_factory) == []

    done = await answer(uow_factory, report_id, question.round, recurred=True, who=owner)
    assert done is RecurrenceOutcome.REOPENED
    ticket = await ticket_of(uow_factory, report_id)
    assert ticket.external_id == "T-SY20261125-0001"  # the same ticket, not a new report
    assert (ticket.recurrence_count, ticket.reopen_count) == (1, 1)
    assert ticket.due_at is None  # the watch gives the new round a deadline from now
    (message,) = await outbox(uow_factory)
    assert message.kind == "reopen" and message.idempotency_key == f"reopen-{report_id}-1"
    assert "复发" in hotline_note(from_row(message))
    async with uow_factory() as uow:
        report = await uow.session.get(Report, report_id)
        assert report is not None and report.status == ReportStatus.REOPENED
        assert await uow.session.scalar(select(Report.id).where(Report.id != report_id)) is None

    replayed = await answer(uow_factory, report_id, question.round, recurred=True, who=owner)
    assert replayed is RecurrenceOutcome.STALE
    assert len(await outbox(uow_factory)) == 1
    assert (await ticket_of(uow_factory, report_id)).recurrence_count == 1


async def test_resolved_is_recorded_and_a_second_answer_is_refused(
    uow_factory: UnitOfWorkFactory,
) -> None:
    report_id = await closed_report(uow_factory)
    question = await asked(uow_factory)
    owner = await deputy_id(uow_factory)
    first = await answer(uow_factory, report_id, question.round, recurred=False, who=owner)
    assert first is RecurrenceOutcome.RESOLVED
    again = await answer(uow_factory, report_id, question.round, recurred=True, who=owner)
    assert again is RecurrenceOutcome.ALREADY_ANSWERED
    ticket = await ticket_of(uow_factory, report_id)
    assert (ticket.recurrence_answer, ticket.recurrence_count) == ("已解决", 0)
    assert await outbox(uow_factory) == []


async def test_recurrence_after_a_reopen_goes_to_the_staff(
    uow_factory: UnitOfWorkFactory,
) -> None:
    report_id = await closed_report(uow_factory, reopens=1)  # 重办 once after 不满意 already
    question = await asked(uow_factory)
    assert question.round == 2
    owner = await deputy_id(uow_factory)
    outcome = await answer(uow_factory, report_id, question.round, recurred=True, who=owner)
    assert outcome is RecurrenceOutcome.ESCALATED
    ticket = await ticket_of(uow_factory, report_id)
    assert ticket.escalated and ticket.recurrence_count == 1 and ticket.reopen_count == 1
    assert await outbox(uow_factory) == []  # the hotline reopens a ticket once
