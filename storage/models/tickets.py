"""The hotline side of a report: the 12345 ticket, its events, the rating, and the outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class RatingScore(StrEnum):
    SATISFIED = "满意"
    BASICALLY = "基本满意"
    UNSATISFIED = "不满意"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # gave up after the last attempt; an admin may retry
    CANCELLED = "cancelled"  # the report was withdrawn before delivery


class OutboxKind(StrEnum):
    """What an outbox message asks of the hotline (payload fields in brackets)."""

    CREATE_TICKET = "create_ticket"  # a new ticket for the report
    REOPEN = "reopen"  # [reason] 重办 after 不满意 or 复发
    URGE = "urge"  # [note] 催办
    REROUTE = "reroute"  # [department_code, note] an admin's 改派 before the hotline accepts
    WITHDRAW = "withdraw"  # [reason] the deputy withdrew the report
    SUPERVISE = "supervise"  # [case_id, deadline, note] 人大督办: a formal notice, new deadline


class Ticket(Base):
    __tablename__ = "tickets"
    # Statistics by department over a date range (migration 0006).
    __table_args__ = (Index("ix_tickets_department_created", "department_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    adapter: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    accept_due_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    extension_pending: Mapped[bool] = mapped_column(default=False)
    escalated: Mapped[bool] = mapped_column(default=False)  # 督办
    reopen_count: Mapped[int] = mapped_column(default=0)
    last_urged_at: Mapped[datetime | None]  # deputy 催办, at most once a day
    # 延期 requested at: the clock stands still until the 12345 centre decides.
    extension_requested_at: Mapped[datetime | None]
    # The deadline each automatic alert was sent for: once per deadline, again for a moved one.
    accept_warned_for: Mapped[datetime | None]
    due_warned_for: Mapped[datetime | None]
    accept_overdue_for: Mapped[datetime | None]
    due_overdue_for: Mapped[datetime | None]
    # 复发 回访: asked once per closing; each 复发 counts against the department.
    recurrence_asked_at: Mapped[datetime | None]
    recurrence_answer: Mapped[str | None] = mapped_column(String(8))
    recurrence_count: Mapped[int] = mapped_column(default=0)
    next_poll_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    accepted_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Indexed: the statistics roll-up asks which tickets changed lately (migration 0007).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


class TicketEvent(Base):
    __tablename__ = "ticket_events"
    __table_args__ = (UniqueConstraint("ticket_id", "external_event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    # The hotline's own event id: a redelivered callback is recognised and ignored.
    external_event_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(128), default="")
    department_code: Mapped[str | None] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None]  # when the deputy was told


class Rating(Base):
    __tablename__ = "ratings"
    # One rating per answer round: a double tap or a replayed button cannot rate twice.
    __table_args__ = (UniqueConstraint("report_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"))
    score: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")
    round: Mapped[int] = mapped_column(default=1)  # 2 after a reopen
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # create_ticket / reopen / urge / ...
    # Sent with every attempt so the hotline makes exactly one ticket per report.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    # The delivery watch's notices, each sent once (migration 0008): the deputy told that a
    # create waits for an unreachable hotline, then that it arrived; the admins told of a
    # dead letter.
    delay_notified_at: Mapped[datetime | None]
    arrival_notified_at: Mapped[datetime | None]
    dead_notified_at: Mapped[datetime | None]
