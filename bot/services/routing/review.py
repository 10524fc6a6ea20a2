"""Reviewing routing decisions (分类记录): the two review actions (the log they are taken from:
decision_log.py). 确认 keeps the department; 更正 moves the report if the hotline has not
accepted it yet. Both leave a labelled example the classifier is retrained on.

What 更正 does to the report depends on how far it got:
- not delivered yet (no ticket): the queued create simply goes to the new department;
- delivered, not accepted (已提交): an outbox `reroute` asks the hotline to move the ticket;
- accepted or later: the report stays where it is; only the correction is recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.outbox import Reroute, RerouteCause, to_row
from bot.core.refusal import Refusal
from bot.services.routing.decision_log import review_state
from storage.base import utcnow
from storage.models import (
    Department,
    LabelledExample,
    OutboxKind,
    Report,
    ReportStatus,
    RoutingDecision,
    RoutingMethod,
)
from storage.uow import UnitOfWork


class ReviewProblem(StrEnum):
    DECISION_NOT_FOUND = "decision_not_found"
    DEPARTMENT_UNKNOWN = "department_unknown"
    ALREADY_REVIEWED = "already_reviewed"  # details: status
    NOTHING_TO_CONFIRM = "nothing_to_confirm"
    CORRECT_IN_TRIAGE = "correct_in_triage"
    SAME_DEPARTMENT = "same_department"
    REVIEWED_MEANWHILE = "reviewed_meanwhile"
    SENDING_NOW = "sending_now"


class ReviewError(Refusal):
    """The action was refused (a ReviewProblem); nothing was changed."""


class CorrectionEffect(StrEnum):
    PENDING_CREATE = "pending_create"  # the queued ticket goes to the new department
    REROUTE = "reroute"  # the hotline is asked to move the ticket
    RECORD_ONLY = "record_only"  # too late to move: the correction only teaches


@dataclass(frozen=True)
class Correction:
    number: str
    department: str
    effect: CorrectionEffect


class ReviewService:
    def __init__(self, uow: UnitOfWork, clock: Callable[[], datetime] = utcnow) -> None:
        self._uow = uow
        self._clock = clock

    async def confirm(self, decision_id: int, *, actor: str, seen: str | None = None) -> str:
        """确认: the final department was right. Returns the report number. `seen`: the
        decision's `review_state()` as the person's page showed it."""
        decision, report = await self._load(decision_id, seen)
        if decision.review_status != "pending":
            raise ReviewError(ReviewProblem.ALREADY_REVIEWED, status=decision.review_status)
        department = await self._uow.directory.department_by_id(decision.department_id)
        if department is None or report.status == ReportStatus.TRIAGE:
            raise ReviewError(ReviewProblem.NOTHING_TO_CONFIRM)
        await self._claim(decision)
        await self._settle(
            decision,
            report,
            department,
            actor=actor,
            audit_action="decision.confirm",
            status="confirmed",
            example_source="confirm",
            before={"review_status": "pending"},
            after={"review_status": "confirmed", "department": department.code},
        )
        return report.number

    async def correct(
        self,
        decision_id: int,
        department_code: str,
        *,
        actor: str,
        note: str = "",
        seen: str | None = None,
    ) -> Correction:
        """更正: the report belongs to another department. `seen` as for `confirm`."""
        decision, report = await self._load(decision_id, seen)
        if report.status == ReportStatus.TRIAGE:
            raise ReviewError(ReviewProblem.CORRECT_IN_TRIAGE)
        department = await self._uow.directory.department(department_code)
        if department is None or not department.active:
            raise ReviewError(ReviewProblem.DEPARTMENT_UNKNOWN)
        if department.id == decision.department_id == report.department_id:
            raise ReviewError(ReviewProblem.SAME_DEPARTMENT)
        await self._claim(decision)
        old = await self._uow.directory.department_by_id(decision.department_id)
        effect = await self._move(report, department, note)
        decision.department_id = department.id
        decision.method = RoutingMethod.MANUAL
        await self._settle(
            decision,
            report,
            department,
            actor=actor,
            audit_action="decision.correct",
            status="corrected",
            example_source="admin",
            before={
                "department": old.code if old else None,
                "review_status": decision.review_status,
            },
            after={"department": department.code, "effect": effect.value, "note": note},
        )
        return Correction(report.number, department.name, effect)

    async def _move(self, report: Report, department: Department, note: str) -> CorrectionEffect:
        ticket = await self._uow.reports.ticket(report.id)
        if ticket is None and report.status == ReportStatus.SUBMITTED:
            if await self._sending_now(report.id):
                raise ReviewError(ReviewProblem.SENDING_NOW)
            report.department_id = department.id  # read by the worker when it sends
            return CorrectionEffect.PENDING_CREATE
        if ticket is not None and ticket.external_id and report.status == ReportStatus.SUBMITTED:
            report.department_id = department.id
            self._uow.outbox.add(
                to_row(Reroute(report.id, department.code, RerouteCause.CORRECTION, note))
            )
            return CorrectionEffect.REROUTE
        return CorrectionEffect.RECORD_ONLY

    async def _sending_now(self, report_id: int) -> bool:
        """A claimed create is on the wire with the old department: wait for its answer."""
        now = self._clock()
        return any(
            m.kind == OutboxKind.CREATE_TICKET
            and m.locked_until is not None
            and m.locked_until > now
            for m in await self._uow.reports.pending_outbox(report_id)
        )

    async def _load(
        self, decision_id: int, seen: str | None = None
    ) -> tuple[RoutingDecision, Report]:
        decision = await self._uow.review.decision(decision_id)
        report = await self._uow.reports.get(decision.report_id) if decision else None
        if decision is None or report is None:
            raise ReviewError(ReviewProblem.DECISION_NOT_FOUND)
        if seen is not None and seen != review_state(decision):
            raise ReviewError(ReviewProblem.REVIEWED_MEANWHILE)  # the page was stale
        return decision, report

    async def _claim(self, decision: RoutingDecision) -> None:
        """Of two reviews of one decision at once, only the first gets past this."""
        if not await self._uow.review.claim_decision(decision, self._clock()):
            raise ReviewError(ReviewProblem.REVIEWED_MEANWHILE)

    async def _settle(
        self,
        decision: RoutingDecision,
        report: Report,
        department: Department,
        *,
        actor: str,
        audit_action: str,
        status: str,
        example_source: str,
        before: dict[str, object],
        after: dict[str, object],
    ) -> None:
        """Both review actions end alike: the decision marked reviewed, the labelled example
        the classifier is retrained on, the audit entry, one commit."""
        mark_reviewed(decision, status, actor, self._clock())
        self._uow.tickets.add_example(labelled_example(report, department, example_source, actor))
        self._uow.audit.record(
            actor,
            audit_action,
            entity="routing_decision",
            entity_id=decision.id,
            before=before,
            after=after,
        )
        await self._uow.commit()


def mark_reviewed(decision: RoutingDecision, status: str, actor: str, at: datetime) -> None:
    decision.review_status = status
    decision.reviewed_by = actor
    decision.reviewed_at = at


def labelled_example(
    report: Report, department: Department, source: str, actor: str
) -> LabelledExample:
    """What the classifier is retrained on: the report's text under the department an admin
    confirmed or chose (`source` says which)."""
    return LabelledExample(
        report_id=report.id,
        text=report.text,
        department_code=department.code,
        source=source,
        created_by=actor,
    )
