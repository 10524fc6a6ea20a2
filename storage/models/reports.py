"""A deputy's report (社情民意), its photos, and how it was routed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class ReportStatus(StrEnum):
    DRAFT = "待提交"
    TRIAGE = "待人工分派"
    SUBMITTED = "已提交"
    ACCEPTED = "已受理"
    DISPATCHED = "已派单"
    IN_PROGRESS = "办理中"
    ANSWERED = "已答复"
    CLOSED = "已办结"
    RETURNED = "退回"
    REOPENED = "已重办"
    WITHDRAWN = "已撤回"
    JOINED = "已附议"  # seconded an earlier similar report instead of opening a new ticket


class AppealType(StrEnum):
    CONSULT = "咨询"
    HELP = "求助"
    COMPLAINT = "投诉"
    TIPOFF = "举报"
    SUGGESTION = "建议"


class Urgency(StrEnum):
    URGENT = "紧急"
    NORMAL = "一般"


class RoutingMethod(StrEnum):
    AUTO = "auto"  # classifier, confident enough
    SUGGESTED = "suggested"  # classifier unsure: sent to 12345 marked 待确认 (ROUTING_UNSURE)
    DEPUTY = "deputy"  # the deputy picked another department in the preview
    MANUAL = "manual"  # admin triage or correction
    OPERATOR = "operator"  # hotline 改派


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_deputy_created", "deputy_id", "created_at"),
        # Statistics by district over a date range (migration 0006).
        Index("ix_reports_district_created", "district_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. SY20261125-0001
    # The chat draft it came from: a second tap on 确认提交 finds this report instead of a new one.
    draft_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"))
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(128), default="")
    appeal_type: Mapped[str] = mapped_column(String(8), default=AppealType.HELP)
    urgency: Mapped[str] = mapped_column(String(8), default=Urgency.NORMAL)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    town: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(255))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.SUBMITTED, index=True)
    # Set when this report joined (附议) an earlier similar one instead of opening a ticket.
    joined_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


class ReportPhoto(Base):
    __tablename__ = "report_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    telegram_file_id: Mapped[str] = mapped_column(String(255))
    telegram_file_unique_id: Mapped[str] = mapped_column(String(128))
    # Re-encoded copy without EXIF, kept locally so it can be forwarded to the hotline.
    local_path: Mapped[str | None] = mapped_column(String(512))


class RoutingDecision(Base):
    __tablename__ = "routing_decisions"
    # Routing quality: reviewed decisions over a date range (migration 0006).
    __table_args__ = (Index("ix_routing_decisions_review_created", "review_status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    classifier_version: Mapped[str] = mapped_column(String(64))
    tokens: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Top-k: [{"department_code", "score", "evidence": [{"term", "matched", "weight"}]}]
    candidates: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    suggested_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    method: Mapped[str] = mapped_column(String(16), default=RoutingMethod.AUTO)
    decided_by: Mapped[str] = mapped_column(String(128), default="classifier")
    # Admin review: pending → confirmed / corrected.
    review_status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LabelledExample(Base):
    """A text with the department it truly belongs to: what admin corrections and 改派 teach."""

    __tablename__ = "labelled_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    department_code: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(16))  # admin / operator / confirm
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
