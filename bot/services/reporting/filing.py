"""Filing a report: the explained routing preview, then one transaction that saves the report,
its routing decision and the hotline outbox message together."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Protocol

from bot.core.clock import CHINA_TIME
from bot.core.outbox import CreateTicket, to_row
from bot.core.text_input import gist
from bot.services.deputies.view import DeputyView
from bot.services.reporting.analysis import decode, encode, fingerprint
from bot.services.reporting.drafts import Draft
from bot.services.reporting.photos import NotAnImageError, PhotoStore, PhotoUnavailable
from bot.services.reporting.places import Place, place_of
from classifiers import CandidateReport, Classification, DuplicateFinder, Emergency, Evidence
from storage.base import utcnow
from storage.models import (
    AppealType,
    Report,
    ReportPhoto,
    ReportStatus,
    RoutingDecision,
    RoutingMethod,
)
from storage.repositories.reports import OPEN_STATUSES
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

APPEAL_TYPES = [t.value for t in AppealType]
SUMMARY_CHARS = 40

PhotoFetcher = Callable[[str], Awaitable[bytes]]


class Classifier(Protocol):
    def classify(
        self,
        text: str,
        title: str | None = None,
        location: tuple[float, float] | None = None,
        top_k: int = 3,
        address: str | None = None,
    ) -> Classification: ...


@dataclass(frozen=True)
class DepartmentChoice:
    code: str
    name: str


@dataclass(frozen=True)
class SimilarOpen:
    """An earlier report still being handled that this one may second (附议)."""

    report_id: int
    number: str
    summary: str
    status: str


@dataclass(frozen=True)
class Preview:
    summary: str
    text_length: int
    photo_count: int
    location: tuple[float, float] | None
    address: str | None
    appeal_type: str
    urgency: str
    urgency_reasons: list[str]
    district: str | None
    town: str | None
    department: DepartmentChoice
    chosen_by_deputy: bool
    reasons: list[Evidence]
    confidence: float
    auto_route: bool
    alternatives: list[DepartmentChoice]
    emergency: Emergency | None
    similar: SimilarOpen | None = None
    # Unsure (not auto_route), and ROUTING_UNSURE=hotline: the hotline confirms the unit.
    confirm_at_hotline: bool = False


@dataclass(frozen=True)
class SubmitResult:
    number: str
    status: str
    department_name: str | None
    already_submitted: bool = False
    joined_number: str | None = None
    photos_missing: int = 0  # photos the chat could not hand over: filed without them
    to_confirm: bool = False  # sent with the unit to be confirmed by the hotline (待确认)


def summarize(text: str) -> str:
    """The report's one-line summary: the gist of the whole text, not only its first line."""
    return gist(text, SUMMARY_CHARS)


class ReportService:
    def __init__(
        self,
        uow: UnitOfWork,
        classifier: Classifier,
        photos: PhotoStore | None = None,
        *,
        unsure_to_hotline: bool = True,
    ) -> None:
        """`unsure_to_hotline`: ROUTING_UNSURE=hotline (an unsure report goes to 12345 with
        its suggestion to confirm) or triage (it waits for the 工委)."""
        self._uow = uow
        self._classifier = classifier
        self._photos = photos
        self._unsure_to_hotline = unsure_to_hotline
        self._duplicates = DuplicateFinder()

    def analyse(self, draft: Draft) -> Classification:
        """The draft's analysis, kept with the draft: the router runs again only after the
        text or the place changed (the caller saves the draft)."""
        key = fingerprint(draft)
        if draft.analysis is not None and draft.analysed == key:
            return decode(draft.analysis)
        # The typed address gives the district (区/镇/街道), not the department.
        analysis = self._classifier.classify(
            draft.text, address=draft.address or None, location=draft.location
        )
        draft.analysis, draft.analysed = encode(analysis), key
        return analysis

    def place(self, draft: Draft) -> Place:
        """区县 and 乡镇/街道 of the draft, from its text, address or shared location."""
        return place_of(self.analyse(draft), draft.location)

    async def preview(self, draft: Draft, analysis: Classification) -> Preview:
        chosen = await self._chosen_department(draft, analysis)
        by_deputy = draft.department_code is not None
        candidate = next(
            (c for c in analysis.candidates if c.department_code == chosen.code), None
        )
        alternatives = [
            DepartmentChoice(c.department_code, c.department_name)
            for c in analysis.candidates
            if c.department_code != chosen.code
        ][:3]
        place = place_of(analysis, draft.location)
        return Preview(
            summary=summarize(draft.text),
            text_length=draft.length,
            photo_count=len(draft.photos),
            location=draft.location,
            address=draft.address,
            appeal_type=draft.appeal_type or analysis.appeal_type,
            urgency=analysis.urgency,
            urgency_reasons=[e.term for e in analysis.urgency_evidence],
            district=place.district,
            town=place.town,
            department=chosen,
            chosen_by_deputy=by_deputy,
            reasons=list(candidate.evidence) if candidate else [],
            confidence=candidate.confidence if candidate else 0.0,
            auto_route=by_deputy or analysis.auto_route,
            confirm_at_hotline=not (by_deputy or analysis.auto_route) and self._unsure_to_hotline,
            alternatives=alternatives,
            emergency=analysis.emergency,
        )

    async def with_similar(self, draft: Draft, preview: Preview) -> Preview:
        """The preview plus an open report it could second (附议): only the card shown to the
        deputy needs this query, not submitting or listing alternatives."""
        similar = await self._similar_open(draft, preview.department.code, preview.district)
        return replace(preview, similar=similar)

    async def _similar_open(
        self, draft: Draft, department_code: str, district_name: str | None
    ) -> SimilarOpen | None:
        department = await self._uow.directory.department(department_code)
        district = (await self._uow.directory.districts_by_name()).get(district_name or "")
        if department is None or district is None:
            return None
        since = utcnow() - self._duplicates.window
        recent = await self._uow.reports.recent_open(district.id, department.id, since)
        by_id = {str(r.id): r for r in recent}
        candidates = [
            CandidateReport(str(r.id), r.text, district.name, department.code, r.created_at)
            for r in recent
        ]
        found = self._duplicates.find(draft.text, district.name, department.code, candidates)
        if not found:
            return None
        best = by_id[found[0].report_id]
        return SimilarOpen(best.id, best.number, best.summary, best.status)

    async def join(self, deputy: DeputyView, draft: Draft, target_id: int) -> SubmitResult | None:
        """Seconds (附议) an open report instead of opening a new ticket; None if it closed."""
        existing = await self._uow.reports.by_draft(draft.id)
        if existing is not None:
            return await self._result(existing, already=True)
        target = await self._uow.reports.get(target_id)
        if target is None or target.status not in OPEN_STATUSES or target.joined_report_id:
            return None
        report = Report(
            draft_id=draft.id,
            deputy_id=deputy.id,
            text=draft.text,
            summary=summarize(draft.text),
            appeal_type=draft.appeal_type or AppealType.HELP,
            urgency=target.urgency,
            district_id=target.district_id,
            town=target.town,
            address=draft.address,
            latitude=draft.latitude,
            longitude=draft.longitude,
            department_id=target.department_id,
            status=ReportStatus.JOINED,
            joined_report_id=target.id,
        )
        day = datetime.now(CHINA_TIME).strftime("%Y%m%d")
        if not await self._uow.reports.add_numbered(report, f"SY{day}"):
            return await self._result(report, already=True)
        self._uow.audit.record(
            f"tg:{deputy.telegram_user_id}",
            "report.join",
            entity="report",
            entity_id=report.id,
            after={"number": report.number, "joined": target.number},
        )
        await self._uow.commit()
        result = await self._result(report)
        return SubmitResult(
            result.number, result.status, result.department_name, False, target.number
        )

    async def departments(self) -> list[DepartmentChoice]:
        departments = await self._uow.directory.active_departments()
        return [DepartmentChoice(d.code, d.name) for d in departments]

    async def submit(
        self, deputy: DeputyView, draft: Draft, fetch_photo: PhotoFetcher
    ) -> SubmitResult:
        existing = await self._uow.reports.by_draft(draft.id)
        if existing is not None:  # a double tap, or a retry after a lost reply
            return await self._result(existing, already=True)
        # Fetched before anything is written: no network wait inside the transaction, and a
        # photo that cannot be had is left out, never a reason to half-save the report.
        fetched = await self._fetch_photos(draft, fetch_photo)
        analysis = self.analyse(draft)
        preview = await self.preview(draft, analysis)
        department = await self._uow.directory.department(preview.department.code)
        districts = await self._uow.directory.districts_by_name()
        district = districts.get(preview.district) if preview.district else None
        sure = preview.auto_route and department is not None
        routed = department is not None and (sure or self._unsure_to_hotline)
        report = Report(
            draft_id=draft.id,
            deputy_id=deputy.id,
            text=draft.text,
            summary=preview.summary,
            appeal_type=preview.appeal_type,
            urgency=preview.urgency,
            district_id=district.id if district else None,
            town=preview.town,
            address=draft.address,
            latitude=draft.latitude,
            longitude=draft.longitude,
            department_id=department.id if routed and department else None,
            status=ReportStatus.SUBMITTED if routed else ReportStatus.TRIAGE,
        )
        day = datetime.now(CHINA_TIME).strftime("%Y%m%d")
        if not await self._uow.reports.add_numbered(report, f"SY{day}"):
            existing = await self._uow.reports.by_draft(draft.id)
            assert existing is not None
            return await self._result(existing, already=True)
        await self._record_decision(report, analysis, preview, report.department_id, sure)
        await self._store_photos(report, draft, fetched)
        if routed:
            self._uow.outbox.add(to_row(CreateTicket(report.id)))
        self._uow.audit.record(
            f"tg:{deputy.telegram_user_id}",
            "report.submit",
            entity="report",
            entity_id=report.id,
            after={"number": report.number, "status": report.status},
        )
        await self._uow.commit()
        missing = sum(1 for data in fetched if data is None)
        result = await self._result(report)
        return replace(result, to_confirm=routed and not sure, photos_missing=missing)

    async def _chosen_department(self, draft: Draft, analysis: Classification) -> DepartmentChoice:
        if draft.department_code:
            department = await self._uow.directory.department(draft.department_code)
            if department is not None:
                return DepartmentChoice(department.code, department.name)
        return DepartmentChoice(analysis.department_code, analysis.department_name)

    async def _record_decision(
        self,
        report: Report,
        analysis: Classification,
        preview: Preview,
        department_id: int | None,
        sure: bool,
    ) -> None:
        suggested = await self._uow.directory.department(analysis.department_code)
        method = RoutingMethod.AUTO if sure else RoutingMethod.SUGGESTED
        self._uow.reports.add_decision(
            RoutingDecision(
                report_id=report.id,
                classifier_version=analysis.version,
                tokens=analysis.tokens[:200],
                candidates=[asdict(c) for c in analysis.candidates],
                suggested_department_id=suggested.id if suggested else None,
                department_id=department_id,
                confidence=analysis.confidence,
                method=RoutingMethod.DEPUTY if preview.chosen_by_deputy else method,
                decided_by="deputy" if preview.chosen_by_deputy else "classifier",
            )
        )

    async def _fetch_photos(self, draft: Draft, fetch: PhotoFetcher) -> list[bytes | None]:
        """Each photo's bytes, or None where the chat could not hand it over."""
        if self._photos is None:
            return [b"" for _ in draft.photos]  # nothing is stored: nothing to fetch
        fetched: list[bytes | None] = []
        for position, photo in enumerate(draft.photos):
            try:
                fetched.append(await fetch(photo.file_id))
            except PhotoUnavailable as error:
                log.warning("photo %s of draft %s not fetched: %s", position, draft.id, error)
                fetched.append(None)
        return fetched

    async def _store_photos(
        self, report: Report, draft: Draft, fetched: list[bytes | None]
    ) -> None:
        for position, photo in enumerate(draft.photos):
            local_path = None
            data = fetched[position]
            if self._photos is not None and data is not None:
                try:
                    local_path = str(await self._photos.save(report.number, position, data))
                except (NotAnImageError, OSError) as error:
                    # Keep the file_id: the photo can still be fetched again later.
                    log.warning("photo %s of %s not stored: %s", position, report.number, error)
            self._uow.reports.add_photo(
                ReportPhoto(
                    report_id=report.id,
                    position=position,
                    telegram_file_id=photo.file_id,
                    telegram_file_unique_id=photo.file_unique_id,
                    local_path=local_path,
                )
            )

    async def _result(self, report: Report, already: bool = False) -> SubmitResult:
        department = await self._uow.directory.department_by_id(report.department_id)
        return SubmitResult(
            number=report.number,
            status=report.status,
            department_name=department.name if department else None,
            already_submitted=already,
        )
