"""The words the hotline's operators read with each follow-up: rendered here, at the edge,
from the typed outbox message (services queue data, never text)."""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import CHINA_TIME
from bot.core.outbox import (
    DeadlineAlert,
    DeadlineKind,
    DeputyUrge,
    HotlineMessage,
    LegacyCall,
    Reopen,
    ReopenCause,
    Reroute,
    RerouteCause,
    Supervise,
    Withdraw,
)

DEPUTY_URGE = "人大代表催办"
RECURRENCE = "复发：人大代表回访反映问题再次出现"
WITHDRAWN = "人大代表已撤回该反映，请勿再办理。"
REROUTE_DEFAULTS = {
    RerouteCause.TRIAGE: "人大代表工委人工分派",
    RerouteCause.CORRECTION: "人大代表工委更正承办单位",
}
_DEADLINE_NAMES = {DeadlineKind.ACCEPT: "受理", DeadlineKind.HANDLE: "办理"}


def hotline_note(message: HotlineMessage) -> str:
    """The note (or reason) sent with a follow-up call; "" for a create."""
    if isinstance(message, Reopen):
        return RECURRENCE if message.cause == ReopenCause.RECURRENCE else message.reason
    if isinstance(message, DeputyUrge):
        return DEPUTY_URGE
    if isinstance(message, DeadlineAlert):
        return deadline_note(message.deadline_kind, message.deadline, overdue=message.overdue)
    if isinstance(message, Reroute):
        return message.note or REROUTE_DEFAULTS[message.cause]
    if isinstance(message, Withdraw):
        return f"{WITHDRAWN}原因：{message.reason}" if message.reason else WITHDRAWN
    if isinstance(message, Supervise):
        return supervise_note(message.deadline, message.note)
    if isinstance(message, LegacyCall):
        return message.text
    return ""


def deadline_note(kind: DeadlineKind, deadline: datetime, *, overdue: bool) -> str:
    name, at = _DEADLINE_NAMES[kind], deadline.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    if overdue:
        return (
            f"【系统自动催办】该工单已超过{name}期限（{at}），"
            "已提请人大代表工委督办，请尽快办理。（人大代表直通车）"
        )
    return f"【系统自动预警】该工单{name}期限为 {at}，即将到期，请及时{name}。（人大代表直通车）"


def supervise_note(deadline: datetime, note: str) -> str:
    """The formal 督办 notice the hotline's operators read (the deadline in China time)."""
    at = deadline.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    text = f"【人大代表工委督办】请于 {at} 前办结并答复。"
    return f"{text}督办意见：{note}" if note else text
