"""What a deputy is told outside a conversation, as typed notices: the services say what
happened, the transport chooses the words and the buttons (bot/texts/notices.py renders them,
the bot's TelegramNotifier sends them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.outbox import DeadlineKind


@dataclass(frozen=True)
class RatingPrompt:
    """Ask the deputy to rate this answer (the bot renders 满意 / 基本满意 / 不满意 buttons)."""

    report_id: int
    round: int  # 1, or 2 after a reopen: a button of an earlier round is stale


@dataclass(frozen=True)
class StatusChanged:
    """The hotline moved the report: `change` is the new status or the action (progress,
    return, reroute, reopen …); `rating` when this is an answer to rate."""

    change: str
    number: str
    summary: str
    department: str | None = None
    note: str | None = None
    answer: str | None = None
    rating: RatingPrompt | None = None


@dataclass(frozen=True)
class ExtensionChanged:
    """A 延期 asked (`extend`), granted (`extend_approve`) or refused (`extend_reject`)."""

    change: str
    number: str
    summary: str
    note: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class DeadlineMissed:
    """A deadline passed: the watch pressed the hotline (催办) and flagged 督办."""

    deadline_kind: DeadlineKind
    number: str
    summary: str
    deadline: datetime


@dataclass(frozen=True)
class AssignedByStaff:
    """The 工委 routed the report out of the triage queue (人工分派)."""

    number: str
    summary: str
    department: str


DeputyNotice = StatusChanged | ExtensionChanged | DeadlineMissed | AssignedByStaff


class Notifier(Protocol):
    """How a deputy is told (the bot implements it with Telegram's sendMessage)."""

    async def notify(self, telegram_user_id: int, notice: DeputyNotice) -> None: ...
