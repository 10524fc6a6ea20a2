"""The classification log (分类记录) as admins read it: the filtered, paged list of routing
decisions, and one decision with its tokens, candidates, evidence and who routed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.core.clock import CHINA_TIME
from bot.services.console.common import Option, Page, directory_maps, fetch_page, options
from classifiers.router import DEFAULT_THRESHOLD
from storage.models import Department, District, Report, ReportStatus, RoutingDecision
from storage.repositories.review import DecisionFilter
from storage.uow import UnitOfWork

REVIEW_STATUSES = ("pending", "confirmed", "corrected")
# The report's audit entries shown as its routing history.
ROUTING_ACTIONS = frozenset({"report.submit", "triage.assign"})
# Confidence bands: "high" is what the classifier routes by itself.
BANDS: dict[str, tuple[float | None, float | None]] = {
    "high": (DEFAULT_THRESHOLD, None),
    "medium": (0.5, DEFAULT_THRESHOLD),
    "low": (None, 0.5),
}


def band_of(confidence: float) -> str:
    # BANDS runs highest first and its last band has no lower bound: one always matches.
    return next(band for band, (low, _) in BANDS.items() if low is None or confidence >= low)


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
    words: tuple[str, ...] = ()  # a 派单目录 matter: the report's words that matched it
    matter_id: str = ""
    area: str = ""


@dataclass(frozen=True)
class MatterView:
    """A matter of the 派单目录 the report matched, with the unit it belongs to."""

    id: str
    name: str
    unit_code: str
    unit_name: str
    area: str
    score: float
    words: tuple[str, ...]


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
    report_id: int = 0
    photos: tuple[int, ...] = ()  # positions of the report's stored photos

    @property
    def matters(self) -> list[MatterView]:
        """Every matched matter over all candidates, best first (from their evidence)."""
        out = {}
        for c in self.candidates:
            for e in c.evidence:
                if e.source == "matter" and e.matter_id and e.matter_id not in out:
                    out[e.matter_id] = MatterView(
                        e.matter_id, e.matched, c.code, c.name, e.area, e.weight, e.words
                    )
        return sorted(out.values(), key=lambda m: -m.score)


class DecisionLog:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

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
            report_id=report.id,
            photos=tuple(
                p.position for p in await self._uow.reports.photos(report.id) if p.local_path
            ),
        )


def review_state(decision: RoutingDecision) -> str:
    """The decision's review as a page showed it. The review forms echo it back, so an action
    taken on a page that someone has reviewed since is refused instead of undoing their review
    (every review sets `reviewed_at` afresh)."""
    at = decision.reviewed_at.isoformat() if decision.reviewed_at else ""
    return f"{decision.review_status}|{decision.department_id or ''}|{at}"


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
                        tuple(str(w) for w in e.get("words") or () if isinstance(w, str)),
                        str(e.get("matter_id") or ""),
                        str(e.get("area") or ""),
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
