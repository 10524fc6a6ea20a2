"""The outbox contract: every message a service queues for the hotline, as a typed value.

Each kind is a frozen dataclass that knows its idempotency key (the hotline records one call per
key, so a retry never acts twice) and the hotline action it asks for. `to_row` makes the stored
`OutboxMessage` (to be added in the caller's transaction); the worker's `from_row` reads it back.
Payloads hold data, never words: the hotline layer writes the notes its operators read
(bot/hotline/notes.py). A new kind is one more class here and one more entry in `_KINDS`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import uuid4

from storage.models import OutboxKind, OutboxMessage


class ReopenCause(StrEnum):
    UNSATISFIED = "unsatisfied"  # the deputy rated the answer 不满意 (reason: their words)
    RECURRENCE = "recurrence"  # the deputy said at the 回访 that the problem came back


class RerouteCause(StrEnum):
    TRIAGE = "triage"  # an admin assigned a returned ticket (人工分派)
    CORRECTION = "correction"  # an admin corrected the router's department (更正)


class DeadlineKind(StrEnum):
    ACCEPT = "accept"  # 受理
    HANDLE = "handle"  # 办理（答复）


@dataclass(frozen=True)
class CreateTicket:
    """A new ticket for the report (one per report, whatever the retries)."""

    action: ClassVar[str] = OutboxKind.CREATE_TICKET
    report_id: int

    @property
    def key(self) -> str:
        return f"report-{self.report_id}"


@dataclass(frozen=True)
class Reopen:
    """重办 of the same ticket: `round` is the ticket's reopen count once this is asked."""

    action: ClassVar[str] = OutboxKind.REOPEN
    report_id: int
    round: int
    cause: ReopenCause
    reason: str = ""  # the deputy's words, for 不满意

    @property
    def key(self) -> str:
        return f"reopen-{self.report_id}-{self.round}"


@dataclass(frozen=True)
class DeputyUrge:
    """催办 pressed by the deputy: at most one per report and China calendar day."""

    action: ClassVar[str] = OutboxKind.URGE
    report_id: int
    day: date

    @property
    def key(self) -> str:
        return f"urge-{self.report_id}-{self.day:%Y%m%d}"


@dataclass(frozen=True)
class DeadlineAlert:
    """The deadline watch's 预警 (before) or 自动催办 (after) a deadline; one per deadline and
    stage, distinct from the deputy's daily 催办."""

    action: ClassVar[str] = OutboxKind.URGE
    report_id: int
    deadline_kind: DeadlineKind
    deadline: datetime
    overdue: bool

    @property
    def stage(self) -> str:
        return "overdue" if self.overdue else "warning"

    @property
    def key(self) -> str:
        at = self.deadline.astimezone(UTC)
        return f"deadline-{self.stage}-{self.report_id}-{self.deadline_kind}-{at:%Y%m%d%H%M%S}"


@dataclass(frozen=True)
class Reroute:
    """An admin's 改派 of a ticket the hotline holds but has not accepted; each ask its own."""

    action: ClassVar[str] = OutboxKind.REROUTE
    report_id: int
    department_code: str
    cause: RerouteCause
    note: str = ""  # the admin's words, sent to the hotline and shown to the deputy
    token: str = field(default_factory=lambda: uuid4().hex[:16])

    @property
    def key(self) -> str:
        return f"reroute-{self.report_id}-{self.token}"


@dataclass(frozen=True)
class Withdraw:
    """The deputy withdrew the report: the hotline is asked to cancel (one per report)."""

    action: ClassVar[str] = OutboxKind.WITHDRAW
    report_id: int
    reason: str = ""  # the deputy's words, if any

    @property
    def key(self) -> str:
        return withdraw_key(self.report_id)


@dataclass(frozen=True)
class Supervise:
    """发起督办: the 代表工委's formal supervision notice with a new deadline. One per notice
    (`token`): a case may be supervised again with another deadline."""

    action: ClassVar[str] = OutboxKind.SUPERVISE
    report_id: int
    case_id: int
    deadline: datetime
    note: str = ""  # the staff's words to the hotline
    token: str = field(default_factory=lambda: uuid4().hex[:16])

    @property
    def key(self) -> str:
        return f"supervise-{self.case_id}-{self.token}"


@dataclass(frozen=True)
class LegacyCall:
    """A follow-up queued before this contract (payload `note`/`reason` in words): sent as
    it was written, so an upgrade loses nothing still waiting in the queue."""

    action: str
    report_id: int
    text: str
    department_code: str = ""


QueuedMessage = CreateTicket | Reopen | DeputyUrge | DeadlineAlert | Reroute | Withdraw | Supervise
HotlineMessage = QueuedMessage | LegacyCall
_KINDS: dict[str, type[QueuedMessage]] = {
    kind.__name__: kind
    for kind in (CreateTicket, Reopen, DeputyUrge, DeadlineAlert, Reroute, Withdraw, Supervise)
}
# The actions about a ticket the hotline already holds.
FOLLOW_UPS = frozenset(
    {
        OutboxKind.REOPEN,
        OutboxKind.URGE,
        OutboxKind.REROUTE,
        OutboxKind.WITHDRAW,
        OutboxKind.SUPERVISE,
    }
)


class UnknownMessage(ValueError):
    """A stored row no kind of this version can read."""


def withdraw_key(report_id: int) -> str:
    return f"withdraw-{report_id}"


def to_row(message: QueuedMessage) -> OutboxMessage:
    return OutboxMessage(
        kind=message.action,
        idempotency_key=message.key,
        report_id=message.report_id,
        payload=encode(message),
    )


def encode(message: QueuedMessage) -> dict[str, Any]:
    fields: dict[str, Any] = {"message": type(message).__name__}
    for name, value in vars(message).items():
        fields[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return fields


def from_row(row: OutboxMessage) -> HotlineMessage:
    payload = dict(row.payload or {})
    kind = _KINDS.get(str(payload.pop("message", "")))
    if kind is None:
        return _legacy(row, payload)
    try:
        return _decode(kind, payload)
    except (TypeError, ValueError) as error:
        raise UnknownMessage(f"outbox message {row.id}: {error}") from None


def _decode(kind: type[QueuedMessage], payload: dict[str, Any]) -> QueuedMessage:
    if kind is DeputyUrge:
        payload["day"] = date.fromisoformat(payload["day"])
    elif kind is DeadlineAlert:
        payload["deadline"] = datetime.fromisoformat(payload["deadline"])
        payload["deadline_kind"] = DeadlineKind(payload["deadline_kind"])
    elif kind is Reopen:
        payload["cause"] = ReopenCause(payload["cause"])
    elif kind is Reroute:
        payload["cause"] = RerouteCause(payload["cause"])
    elif kind is Supervise:
        payload["deadline"] = datetime.fromisoformat(payload["deadline"])
    return kind(**payload)


def _legacy(row: OutboxMessage, payload: dict[str, Any]) -> HotlineMessage:
    report_id = row.report_id or 0
    if row.kind == OutboxKind.CREATE_TICKET:
        return CreateTicket(report_id)
    if row.kind not in FOLLOW_UPS:
        raise UnknownMessage(f"unsupported kind {row.kind!r}")
    text = str(payload.get("reason") or payload.get("note") or "")
    return LegacyCall(row.kind, report_id, text, str(payload.get("department_code") or ""))
