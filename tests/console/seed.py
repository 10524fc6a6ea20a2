"""The console tests' directory (a district, three departments, one deputy on Telegram) and
reports as the bot leaves them in the database (report, routing decision, outbox message,
ticket), written straight to the real test database for the console pages to show."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from bot.core.outbox import CreateTicket, to_row
from storage.models import (
    Department,
    Deputy,
    District,
    OutboxMessage,
    OutboxStatus,
    Report,
    ReportPhoto,
    ReportStatus,
    RoutingDecision,
    RoutingMethod,
    Ticket,
)
from storage.uow import UnitOfWorkFactory

DEPARTMENTS = [
    ("ZJ", "邵阳市住房和城乡建设局"),
    ("CG", "邵阳市城市管理和综合执法局"),
    ("JT", "邵阳市交通运输局"),
]
DEPUTY_TELEGRAM_ID = 710001
XSS = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"


@dataclass(frozen=True)
class Seeded:
    report_id: int
    decision_id: int
    number: str


async def seed_directory(uow_factory: UnitOfWorkFactory) -> None:
    """District DX (id 1), departments ZJ, CG, JT (ids 1-3) and 李代表, bound to Telegram."""
    async with uow_factory() as uow:
        district = District(code="DX", name="大祥区", towns=["城西街道"])
        uow.session.add(district)
        for code, name in DEPARTMENTS:
            uow.session.add(Department(code=code, name=name, category="城建"))
        await uow.session.flush()
        uow.session.add(
            Deputy(
                name="李代表",
                phone="13800000001",
                level="市",
                constituency="大祥区第三选区",
                station="城西联络站",
                district_id=district.id,
                telegram_user_id=DEPUTY_TELEGRAM_ID,
            )
        )
        await uow.commit()


def candidates(*codes: str) -> list[dict[str, object]]:
    """Top-k as ReportService stores it (asdict of classifiers' Candidate)."""
    return [
        {
            "department_code": code,
            "department_name": code,
            "score": round(2.0 / (rank + 1), 3),
            "confidence": round(0.8 / (rank + 1), 2),
            "evidence": [
                {
                    "term": "停车费",
                    "matched": "物业费收费争议",
                    "weight": 1.6,
                    "source": "matter",
                    "words": ["停车费", "物业"],
                    "matter_id": f"{code}-002",
                    "area": "物业管理",
                },
                {"term": "物业", "matched": f"{code}物业", "weight": 1.25, "source": "lexicon"},
                {"term": "停车", "matched": "停车收费", "weight": 0.5, "source": "fuzzy"},
            ],
        }
        for rank, code in enumerate(codes)
    ]


async def add_report(
    uow_factory: UnitOfWorkFactory,
    *,
    number: str = "SY20261125-0001",
    text: str = "小区物业乱收停车费，业主多次反映无人处理。",
    department: str | None = "CG",
    suggested: str | None = None,
    status: str = ReportStatus.SUBMITTED,
    confidence: float = 0.9,
    ticket: str | None = None,  # the hotline's external id: it holds a ticket
    queued: bool = True,  # the create_ticket message the report flow queues
    created_at: datetime | None = None,
) -> Seeded:
    async with uow_factory() as uow:
        by_code = await uow.directory.departments_by_code()
        deputy = (await uow.session.scalars(select(Deputy).limit(1))).one()
        chosen = by_code[department].id if department else None
        report = Report(
            number=number,
            deputy_id=deputy.id,
            text=text,
            summary=text[:30],
            district_id=deputy.district_id,
            department_id=chosen,
            status=status,
        )
        if created_at is not None:
            report.created_at = created_at
        uow.session.add(report)
        await uow.session.flush()
        first = suggested or department or "CG"
        others = [code for code in ("CG", "ZJ", "JT") if code != first]
        decision = RoutingDecision(
            report_id=report.id,
            classifier_version="test-1",
            tokens=["小区", "物业", "乱收", "停车费"],
            candidates=candidates(first, *others),
            suggested_department_id=by_code[first].id,
            department_id=chosen,
            confidence=confidence,
            method=RoutingMethod.AUTO,
        )
        if created_at is not None:
            decision.created_at = created_at
        uow.session.add(decision)
        if queued and status != ReportStatus.TRIAGE:
            message = to_row(CreateTicket(report.id))
            if ticket is not None:
                message.status = OutboxStatus.DELIVERED
            uow.session.add(message)
        if ticket is not None:
            uow.session.add(
                Ticket(
                    report_id=report.id,
                    adapter="http",
                    external_id=ticket,
                    status=status,
                    department_id=chosen,
                )
            )
        await uow.commit()
        return Seeded(report.id, decision.id, number)


async def add_dead_letter(
    uow_factory: UnitOfWorkFactory, report_id: int, error: str = "HTTP 503 from intake"
) -> int:
    async with uow_factory() as uow:
        message = (
            await uow.session.scalars(
                select(OutboxMessage).where(OutboxMessage.report_id == report_id)
            )
        ).one()
        message.status = OutboxStatus.DEAD
        message.attempts = 8
        message.last_error = error
        await uow.commit()
        return message.id


async def add_photo(uow_factory: UnitOfWorkFactory, report_id: int, folder: Path) -> Path:
    """A stored (metadata-free) photo of the report, as ReportService keeps it."""
    path = folder / f"report-{report_id}" / "1.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (60, 130, 200)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    async with uow_factory() as uow:
        uow.reports.add_photo(
            ReportPhoto(
                report_id=report_id,
                position=0,
                telegram_file_id="tg-file-1",
                telegram_file_unique_id="tg-unique-1",
                local_path=str(path),
            )
        )
        await uow.commit()
    return path
