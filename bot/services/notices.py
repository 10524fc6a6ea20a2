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


@dataclass(frozen=True)
class DeliveryDelayed:
    """The hotline cannot be reached: the report is safe and will be sent automatically."""

    number: str
    summary: str


@dataclass(frozen=True)
class DeliveryArrived:
    """A report delayed by an outage has reached the hotline."""

    number: str
    summary: str


@dataclass(frozen=True)
class SupervisionChanged:
    """The 代表工委 started 督办 (`deadline` set) or ended it (`outcome` set)."""

    number: str
    summary: str
    started: bool
    deadline: datetime | None = None
    outcome: str = ""


DeputyNotice = (
    StatusChanged
    | ExtensionChanged
    | DeadlineMissed
    | AssignedByStaff
    | DeliveryDelayed
    | DeliveryArrived
    | SupervisionChanged
)


class Notifier(Protocol):
    """How a deputy is told (the bot implements it with Telegram's sendMessage)."""

    async def notify(self, telegram_user_id: int, notice: DeputyNotice) -> None: ...


@dataclass(frozen=True)
class HotlineDown:
    """Messages have been failing longer than a blip: the hotline looks unreachable."""

    failing: int
    since: datetime
    last_error: str


@dataclass(frozen=True)
class HotlineBack:
    """Nothing is failing any more: the queue drains."""

    was_down_since: datetime


@dataclass(frozen=True)
class DeadLetterAlert:
    """The worker gave up on a message: an admin must look (发送失败的消息)."""

    message_id: int
    kind: str
    number: str | None
    error: str


AdminAlert = HotlineDown | HotlineBack | DeadLetterAlert


class Alerter(Protocol):
    """How the 代表工委 staff are alerted at once (a Telegram group, ALERTS_CHAT_ID)."""

    async def alert(self, alert: AdminAlert) -> None: ...
