"""Reviewing routing decisions (分类记录): the filtered log, one decision with its evidence, and
the two review actions. 确认 keeps the department; 更正 moves the report if the hotline has not
accepted it yet. Both leave a labelled example the classifier is retrained on.

What 更正 does to the report depends on how far it got:
- not delivered yet (no ticket): the queued create simply goes to the new department;
- delivered, not accepted (已提交): an outbox `reroute` asks the hotline to move the ticket;
- accepted or later: the report stays where it is; only the correction is recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.core.clock import CHINA_TIME
from bot.core.outbox import Reroute, RerouteCause, to_row
from bot.core.refusal import Refusal
from bot.services.console.common import Option, Page, directory_maps, fetch_page, options
from classifiers.router import DEFAULT_THRESHOLD
from storage.base import utcnow
from storage.models import (
    Department,
    District,
    LabelledExample,
    OutboxKind,
    Report,
    ReportStatus,
    RoutingDecision,
    RoutingMethod,
)
from storage.repositories.review import DecisionFilter
from storage.uow import UnitOfWork

REVIEW_STATUSES = ("pending", "confirmed", "corrected")
ROUTING_ACTIONS = frozenset({"report.submit", "triage.assign"})  # report audits shown as history
# Confidence bands: "high" is what the classifier routes by itself.
BANDS: dict[str, tuple[float | None, float | None]] = {
    "high": (DEFAULT_THRESHOLD, None),
    "medium": (0.5, DEFAULT_THRESHOLD),
    "low": (None, 0.5),
}


def band_of(confidence: float) -> str:
    # BANDS runs highest first and its last band has no lower bound: one always matches.
    return next(band for band, (low, _) in BANDS.items() if low is None or confidence >= low)


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
class DecisionQuery:
    department: str | None = None  # code of the final department
    district: str | None = None  # district code
    band: str | None = None
    date_from: date | None = None  # China dates, both inclusive
    date_to: date | None = None
    review: str | None = None
    status: str | None = None  # report status


@dataclass(frozen=True)
class DecisionRow:
    id: int
    report_id: int
    number: str
    summary: str
    district: str | None
    department: str | None
    suggested: str | None
    confidence: float
    band: str
    method: str
    decided_by: str
    review_status: str
    reviewed_by: str | None
    report_status: str
    created_at: datetime


@dataclass(frozen=True)
class EvidenceView:
    term: str
    matched: str
    weight: float
    source: str


@dataclass(frozen=True)
class CandidateView:
    code: str
    name: str
    score: float
    confidence: float
    evidence: list[EvidenceView]
    chosen: bool


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    before: dict[str, object] | None
    after: dict[str, object] | None


@dataclass(frozen=True)
class DecisionDetail:
    row: DecisionRow
    text: str
    address: str | None
    appeal_type: str
    urgency: str
    tokens: list[str]
    candidates: list[CandidateView]
    classifier_version: str
    reviewed_at: datetime | None
    report_department: str | None  # where the report is routed now
    ticket_status: str | None
    ticket_department: str | None  # where the hotline says the ticket is
    external_id: str | None
    history: list[HistoryEntry]
    in_triage: bool
    review_state: str  # echoed by the review forms: see `review_state()`


@dataclass(frozen=True)
class Correction:
    number: str
    department: str
    effect: CorrectionEffect


class ReviewService:
    def __init__(self, uow: UnitOfWork, clock: Callable[[], datetime] = utcnow) -> None:
        self._uow = uow
        self._clock = clock

    async def options(self) -> tuple[list[Option], list[Option]]:
        """Departments (active) and districts for filters and pickers."""
        return await options(self._uow)

    async def log(self, query: DecisionQuery, page: int, size: int = 50) -> Page[DecisionRow]:
        # One read of the directory serves both the filter (by code) and the rows (by id).
        departments = await self._uow.directory.departments_by_code()
        districts = list((await self._uow.directory.districts_by_name()).values())
        where = _filter(query, departments, {d.code: d for d in districts})
        found, page, total = await fetch_page(
            lambda offset, limit: self._uow.review.decision_page(where, offset, limit), page, size
        )
        by_id = {d.id: d for d in departments.values()}
        names = {d.id: d.name for d in districts}
        rows = [_row(d, r, by_id, names) for d, r in found]
        return Page(rows, page, size, total)

    async def detail(self, decision_id: int) -> DecisionDetail | None:
        decision = await self._uow.review.decision(decision_id)
        if decision is None:
            return None
        report = await self._uow.reports.get(decision.report_id)
        if report is None:
            return None
        departments, districts = await directory_maps(self._uow)
        ticket = await self._uow.reports.ticket(report.id)
        # Who routed it: the decision's own reviews, and the report's submission and triage.
        history = sorted(
            [
                *await self._uow.audit.for_entity("routing_decision", decision.id),
                *await self._uow.audit.for_entity("report", report.id, ROUTING_ACTIONS),
            ],
            key=lambda entry: (entry.created_at, entry.id),
        )
        return DecisionDetail(
            row=_row(decision, report, departments, districts),
            text=report.text,
            address=report.address,
            appeal_type=report.appeal_type,
            urgency=report.urgency,
            tokens=list(decision.tokens or []),
            candidates=_candidates(decision, departments),
            classifier_version=decision.classifier_version,
            reviewed_at=decision.reviewed_at,
            report_department=_name(departments, report.department_id),
            ticket_status=ticket.status if ticket else None,
            ticket_department=_name(departments, ticket.department_id) if ticket else None,
            external_id=ticket.external_id if ticket else None,
            history=[
                HistoryEntry(h.created_at, h.actor, h.action, h.before, h.after) for h in history
            ],
            in_triage=report.status == ReportStatus.TRIAGE,
            review_state=review_state(decision),
        )

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


def review_state(decision: RoutingDecision) -> str:
    """The decision's review as a page showed it. The review forms echo it back, so an action
    taken on a page that someone has reviewed since is refused instead of undoing their review
    (every review sets `reviewed_at` afresh)."""
    at = decision.reviewed_at.isoformat() if decision.reviewed_at else ""
    return f"{decision.review_status}|{decision.department_id or ''}|{at}"


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


def _filter(
    query: DecisionQuery, departments: dict[str, Department], districts: dict[str, District]
) -> DecisionFilter:
    """The query as SQL filters; `departments` and `districts` by code."""
    low, high = BANDS.get(query.band or "", (None, None))
    department = departments.get(query.department or "")
    district = districts.get(query.district or "")
    return DecisionFilter(
        # An unknown code matches nothing rather than everything.
        department_id=department.id if department else (-1 if query.department else None),
        district_id=district.id if district else (-1 if query.district else None),
        min_confidence=low,
        max_confidence=high,
        since=_china_midnight(query.date_from) if query.date_from else None,
        until=(_china_midnight(query.date_to + timedelta(days=1)) if query.date_to else None),
        review_status=query.review if query.review in REVIEW_STATUSES else None,
        report_status=query.status or None,
    )


def _china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA_TIME)


def _row(
    decision: RoutingDecision,
    report: Report,
    departments: dict[int, Department],
    districts: dict[int, str],
) -> DecisionRow:
    final = departments.get(decision.department_id or 0)
    suggested = departments.get(decision.suggested_department_id or 0)
    return DecisionRow(
        id=decision.id,
        report_id=report.id,
        number=report.number,
        summary=report.summary or report.text[:40],
        district=districts.get(report.district_id or 0),
        department=final.name if final else None,
        suggested=suggested.name if suggested else None,
        confidence=decision.confidence,
        band=band_of(decision.confidence),
        method=decision.method,
        decided_by=decision.decided_by,
        review_status=decision.review_status,
        reviewed_by=decision.reviewed_by,
        report_status=report.status,
        created_at=decision.created_at,
    )


def _candidates(
    decision: RoutingDecision, departments: dict[int, Department]
) -> list[CandidateView]:
    """The stored top-k as the classifier saw them (JSON written by ReportService)."""
    final = departments.get(decision.department_id or 0)
    by_code = {d.code: d for d in departments.values()}
    views = []
    for raw in decision.candidates or []:
        code = str(raw.get("department_code", ""))
        evidence = raw.get("evidence")
        known = by_code.get(code)  # today's name: admins may have renamed it since
        views.append(
            CandidateView(
                code=code,
                name=known.name if known else str(raw.get("department_name") or code),
                score=_number(raw.get("score")),
                confidence=_number(raw.get("confidence")),
                evidence=[
                    EvidenceView(
                        str(e.get("term", "")),
                        str(e.get("matched", "")),
                        _number(e.get("weight")),
                        str(e.get("source", "")),
                    )
                    for e in (evidence if isinstance(evidence, list) else [])
                    if isinstance(e, dict)
                ],
                chosen=final is not None and final.code == code,
            )
        )
    return views


def _name(departments: dict[int, Department], department_id: int | None) -> str | None:
    found = departments.get(department_id or 0)
    return found.name if found else None


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0
