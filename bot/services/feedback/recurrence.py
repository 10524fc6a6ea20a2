"""复发 回访: some days after a report is 已办结 its deputy is asked, once, whether the problem
came back. 复发 sends the same ticket back for 重办 (counted on the ticket, against the
department, not as a new report); 已解决 is recorded. Transport-free: the question goes out
through the `RecurrencePrompter` port, the answer comes in through `RecurrenceService`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable

from bot.core.outbox import ReopenCause
from bot.services.feedback.ratings import MAX_REOPENS, request_reopen
from bot.services.tickets.deadlines import restart_handling_clock
from storage.models import Report, ReportStatus, Ticket
from storage.repositories.deadlines import ClosedTicket
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

RESOLVED = "已解决"
RECURRED = "复发"
# Tickets closed longer ago than the check plus this are not asked: turning the check on (or
# a long outage) must not flood deputies with questions about old reports.
ASK_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class RecurrenceQuestion:
    """Ask about `report_id` (the bot renders 已解决 / 复发了 buttons); `round` is the ticket's
    handling round, so a button of an earlier closing is stale."""

    report_id: int
    round: int
    # What the question names; not part of which question it is.
    number: str = field(default="", compare=False)
    summary: str = field(default="", compare=False)


@runtime_checkable
class RecurrencePrompter(Protocol):
    """How the question reaches the deputy (the bot implements it with Telegram buttons)."""

    async def ask_recurrence(
        self, telegram_user_id: int, question: RecurrenceQuestion
    ) -> None: ...


class RecurrenceCheck:
    """Finds reports closed `check_days` ago and asks their deputies, each once."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        prompter: RecurrencePrompter,
        *,
        check_days: float,
        batch: int = 100,
    ) -> None:
        self._uow_factory = uow_factory
        self._prompter = prompter
        self._wait = timedelta(days=check_days)
        self._batch = batch

    async def run_once(self, now: datetime) -> int:
        """Ask every deputy whose report is due for the question; how many were asked."""
        closed_before = now - self._wait
        async with self._uow_factory() as uow:
            due = await uow.deadlines.closed_unasked(
                closed_before, closed_before - ASK_WINDOW, self._batch
            )
        asked = 0
        for ticket in due:
            asked += await self._ask(ticket, now)
        return asked

    async def _ask(self, ticket: ClosedTicket, now: datetime) -> bool:
        async with self._uow_factory() as uow:
            # Claimed first: a second process (or pass) never asks the same question again.
            if not await uow.deadlines.claim_recurrence_question(ticket.ticket_id, now):
                return False
            uow.audit.record(
                "system", "report.recurrence_asked", entity="report", entity_id=ticket.report_id
            )
            await uow.commit()
        try:
            question = RecurrenceQuestion(
                ticket.report_id, ticket.round, ticket.number, ticket.summary
            )
            await self._prompter.ask_recurrence(ticket.telegram_user_id, question)
        except Exception:  # asked at most once: a blocked bot must not be asked every minute
            log.exception("asking about recurrence of report %s failed", ticket.report_id)
        return True


class RecurrenceOutcome(StrEnum):
    RESOLVED = "resolved"  # 已解决 recorded
    REOPENED = "reopened"  # 复发: the same ticket goes back for 重办
    ESCALATED = "escalated"  # 复发 after a 重办 already: 督办 by the 人大 staff
    ALREADY_ANSWERED = "already_answered"
    STALE = "stale"  # not waiting for this answer (reopened since, or an earlier round)
    NOT_FOUND = "not_found"  # no such report, or someone else's


@dataclass(frozen=True)
class RecurrenceResult:
    outcome: RecurrenceOutcome
    number: str = ""


class RecurrenceService:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def answer(
        self, deputy_id: int, report_id: int, round_: int, *, recurred: bool, actor: str
    ) -> RecurrenceResult:
        report = await self._uow.reports.get(report_id)
        if report is None or report.deputy_id != deputy_id:
            return RecurrenceResult(RecurrenceOutcome.NOT_FOUND)
        ticket = await self._uow.reports.ticket(report.id)
        refused = _refusal(report, ticket, round_)
        if refused is not None:
            return RecurrenceResult(refused, report.number)
        assert ticket is not None  # _refusal said so
        if recurred:
            outcome = self._recurred(report, ticket)
        else:
            ticket.recurrence_answer = RESOLVED
            outcome = RecurrenceOutcome.RESOLVED
        self._uow.audit.record(
            actor,
            "report.recurrence",
            entity="report",
            entity_id=report.id,
            after={"answer": RECURRED if recurred else RESOLVED, "outcome": outcome.value},
        )
        await self._uow.commit()
        return RecurrenceResult(outcome, report.number)

    def _recurred(self, report: Report, ticket: Ticket) -> RecurrenceOutcome:
        ticket.recurrence_count += 1  # 解决率 counts it against the department
        if ticket.reopen_count >= MAX_REOPENS:
            ticket.recurrence_answer = RECURRED
            ticket.escalated = True  # 督办: the hotline has handled it twice already
            return RecurrenceOutcome.ESCALATED
        request_reopen(self._uow, report, ticket, ReopenCause.RECURRENCE)
        restart_handling_clock(ticket)  # the old deadline must not fire a 催办 now
        report.status = ReportStatus.REOPENED
        return RecurrenceOutcome.REOPENED


def _refusal(report: Report, ticket: Ticket | None, round_: int) -> RecurrenceOutcome | None:
    if ticket is None or ticket.recurrence_asked_at is None:
        return RecurrenceOutcome.STALE  # never asked, or reopened since
    if round_ != ticket.reopen_count + 1:  # a button of an earlier closing (or forged)
        return RecurrenceOutcome.STALE
    if ticket.recurrence_answer is not None:
        return RecurrenceOutcome.ALREADY_ANSWERED
    if report.status != ReportStatus.CLOSED:
        return RecurrenceOutcome.STALE
    return None
