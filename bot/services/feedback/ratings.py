"""满意度评价: the deputy rates each answer of the hotline once. A first 不满意 sends the ticket
back for 重办 (through the outbox); a later one is recorded for the 人大 staff to follow up."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.outbox import Reopen, ReopenCause, to_row
from bot.services.supervision.detection import note_trigger
from storage.models import (
    Rating,
    RatingScore,
    Report,
    ReportStatus,
    SupervisionTrigger,
    Ticket,
)
from storage.uow import UnitOfWork

# The hotline handles a ticket again once at the deputy's request; after that people follow up.
MAX_REOPENS = 1
RATEABLE = frozenset({ReportStatus.ANSWERED, ReportStatus.CLOSED})


class RateOutcome(StrEnum):
    RATED = "rated"  # 满意 / 基本满意 stored
    ASK_REASON = "ask_reason"  # 不满意 needs a reason first: nothing stored yet
    REOPENED = "reopened"  # 不满意 stored, 重办 requested
    ESCALATED = "escalated"  # 不满意 stored after a 重办: the staff follow up
    ALREADY_RATED = "already_rated"
    NOT_RATEABLE = "not_rateable"  # the report is not waiting for this round's rating
    NOT_FOUND = "not_found"  # no such report, or someone else's


@dataclass(frozen=True)
class RateResult:
    outcome: RateOutcome
    number: str = ""


class RatingService:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def rate(
        self,
        deputy_id: int,
        report_id: int,
        round_: int,
        score: RatingScore,
        *,
        actor: str,
        reason: str = "",
    ) -> RateResult:
        """Store the rating of answer `round_`; with 不满意 and no reason, only check it."""
        report = await self._uow.reports.get(report_id)
        if report is None or report.deputy_id != deputy_id:
            return RateResult(RateOutcome.NOT_FOUND)
        ticket = await self._uow.reports.ticket(report.id)
        refused = await self._refusal(report, ticket, round_)
        if refused is not None:
            return RateResult(refused, report.number)
        assert ticket is not None  # _refusal said so
        reason = reason.strip()
        if score is RatingScore.UNSATISFIED and not reason:
            return RateResult(RateOutcome.ASK_REASON, report.number)
        self._uow.reports.add_rating(
            Rating(
                report_id=report.id,
                deputy_id=deputy_id,
                score=score.value,
                comment=reason,
                round=round_,
            )
        )
        outcome = RateOutcome.RATED
        if score is RatingScore.UNSATISFIED:
            outcome = self._unsatisfied(report, ticket, reason)
        if outcome is RateOutcome.ESCALATED:  # on the 督办 desk at once, not at the next pass
            await note_trigger(
                self._uow, report.id, SupervisionTrigger.SECOND_UNSATISFIED, author=actor
            )
        self._uow.audit.record(
            actor,
            "report.rate",
            entity="report",
            entity_id=report.id,
            after={"score": score.value, "round": round_, "outcome": outcome.value},
        )
        await self._uow.commit()
        return RateResult(outcome, report.number)

    async def _refusal(
        self, report: Report, ticket: Ticket | None, round_: int
    ) -> RateOutcome | None:
        if any(rating.round == round_ for rating in await self._uow.reports.ratings(report.id)):
            return RateOutcome.ALREADY_RATED
        if ticket is None or report.status not in RATEABLE:
            return RateOutcome.NOT_RATEABLE
        if round_ != ticket.reopen_count + 1:  # a button of an earlier (or forged) round
            return RateOutcome.NOT_RATEABLE
        return None

    def _unsatisfied(self, report: Report, ticket: Ticket, reason: str) -> RateOutcome:
        if ticket.reopen_count >= MAX_REOPENS:
            ticket.escalated = True  # 督办: the 人大 staff take it from here
            return RateOutcome.ESCALATED
        request_reopen(self._uow, report, ticket, ReopenCause.UNSATISFIED, reason)
        return RateOutcome.REOPENED


def request_reopen(
    uow: UnitOfWork, report: Report, ticket: Ticket, cause: ReopenCause, reason: str = ""
) -> None:
    """Queue a 重办 of the same ticket in the caller's transaction (不满意, 复发).

    Counted now: the next answer is the next rating round whatever the outbox's timing, and a
    repeated request can never ask for a second 重办 (one idempotency key per round)."""
    ticket.reopen_count += 1
    uow.outbox.add(to_row(Reopen(report.id, ticket.reopen_count, cause, reason)))
