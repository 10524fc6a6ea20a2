"""人大督: a case the 代表工委 supervises because the government has not settled it.

One case per report: new triggers add reasons to it; a closed case triggered again opens again
(migration 0009)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class SupervisionTrigger(StrEnum):
    """Why a case is on the desk (stored as these codes; labels in TRIGGER_LABELS)."""

    SECOND_UNSATISFIED = "second_unsatisfied"
    OVERDUE = "overdue"
    URGED = "urged"
    RETURNED_TWICE = "returned_twice"
    RECURRENCE = "recurrence"
    FLAGGED = "flagged"


TRIGGER_LABELS = {
    SupervisionTrigger.SECOND_UNSATISFIED: "重办后仍不满意",
    SupervisionTrigger.OVERDUE: "超期未办结",
    SupervisionTrigger.URGED: "代表多次催办",
    SupervisionTrigger.RETURNED_TWICE: "两次退单",
    SupervisionTrigger.RECURRENCE: "办结后复发",
    SupervisionTrigger.FLAGGED: "管理员标记",
}


class SupervisionState(StrEnum):
    OPEN = "open"  # on the desk, nobody has acted yet
    SUPERVISING = "supervising"  # 发起督办 sent: the hotline has a new deadline
    CLOSED = "closed"  # 办结督办 with an outcome


class SupervisionNoteKind(StrEnum):
    NOTICE = "notice"  # 发起督办
    CONTACT = "contact"  # 记录联系: a call or a visit
    HANDOVER = "handover"  # 转交
    CLOSE = "close"  # 办结督办
    TRIGGER = "trigger"  # a new reason was detected


class SupervisionCase(Base):
    __tablename__ = "supervision_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    # SupervisionTrigger codes in the order they were detected.
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default=SupervisionState.OPEN, index=True)
    assignee: Mapped[str | None] = mapped_column(String(64))  # a console username
    new_deadline: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(Text, default="")
    # The department the case was with when it was opened: 督办 counts per department.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]  # 发起督办
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SupervisionNote(Base):
    """The case's own history: each action on the desk, with who did it and their note."""

    __tablename__ = "supervision_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
