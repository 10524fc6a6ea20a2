"""Ticket statuses and the operator/API actions allowed from each (pure, no I/O).

Kept apart from storage so the rules are one readable table, shared by the console, the
JSON API and the Open311 facade.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

SUBMITTED = "已提交"  # internal: delivered, no operator has accepted it yet
ACCEPTED = "已受理"
DISPATCHED = "已派单"
IN_PROGRESS = "办理中"
ANSWERED = "已答复"
CLOSED = "已办结"
RETURNED = "退回"
REROUTED = "改派"
WITHDRAWN = "已撤回"  # the deputy took the report back before anyone accepted it

ALL_STATUSES = (
    SUBMITTED,
    ACCEPTED,
    DISPATCHED,
    IN_PROGRESS,
    ANSWERED,
    CLOSED,
    RETURNED,
    REROUTED,
    WITHDRAWN,
)
# Open311 only knows open/closed; a returned ticket is finished from the hotline's side.
CLOSED_STATUSES = frozenset({CLOSED, RETURNED, WITHDRAWN})
# The deadline no longer runs once the department has answered.
DEADLINE_STOPPED = frozenset({ANSWERED, CLOSED, RETURNED, WITHDRAWN})
MAX_REOPENS = 1

_WORKING = frozenset({ACCEPTED, DISPATCHED, IN_PROGRESS, REROUTED})


@dataclass(frozen=True)
class Action:
    code: str
    label: str  # Chinese verb shown in the timeline and in error messages
    allowed_from: frozenset[str]
    target: str | None  # None = the status does not change (a note-like event)


ACTIONS: dict[str, Action] = {
    a.code: a
    for a in (
        Action("submit", "提交", frozenset(), SUBMITTED),
        Action("accept", "受理", frozenset({SUBMITTED, REROUTED}), ACCEPTED),
        Action("dispatch", "派单", frozenset({ACCEPTED, REROUTED}), DISPATCHED),
        # From 退回 too: the 人大 staff re-triage a returned ticket to the right department.
        Action("reroute", "改派", frozenset({SUBMITTED, RETURNED} | _WORKING), REROUTED),
        Action("return", "退单", frozenset({SUBMITTED} | _WORKING), RETURNED),
        Action("progress", "进展", frozenset({DISPATCHED, IN_PROGRESS}), IN_PROGRESS),
        Action("answer", "答复", frozenset({DISPATCHED, IN_PROGRESS}), ANSWERED),
        Action("close", "办结", frozenset({ANSWERED}), CLOSED),
        # 延期 is a request by the department and a decision by the 12345 centre.
        Action("extend", "延期申请", _WORKING, None),
        Action("extend_approve", "批准延期", _WORKING, None),
        Action("extend_reject", "驳回延期", _WORKING, None),
        Action("urge", "催办", frozenset({SUBMITTED, ANSWERED} | _WORKING), None),
        Action("reopen", "重办", frozenset({ANSWERED, CLOSED}), IN_PROGRESS),
        Action("withdraw", "撤回", frozenset({SUBMITTED, REROUTED}), WITHDRAWN),
        # 人大督办 (API only): a formal notice with a new deadline; the status stays. A returned
        # ticket too: the 12345 centre is pressed to find the unit that will handle it.
        Action(
            "supervise",
            "督办",
            frozenset({SUBMITTED, ANSWERED, CLOSED, RETURNED} | _WORKING),
            None,
        ),
    )
}

# Console forms, in the order they are shown on the ticket page.
CONSOLE_ACTIONS = (
    "accept",
    "dispatch",
    "reroute",
    "return",
    "progress",
    "answer",
    "close",
    "extend",
    "extend_approve",
    "extend_reject",
)
EXTENSION_DECISIONS = frozenset({"extend_approve", "extend_reject"})
# Actions that carry a date: the one asked for (申请), the one granted (批准), 督办's new one.
DATED_ACTIONS = frozenset({"extend", "extend_approve", "supervise"})
SUPERVISE = "supervise"
# After these a 延期申请 waits no longer: decided, or the ticket has moved on.
_ENDS_EXTENSION = EXTENSION_DECISIONS | {
    "answer",
    "close",
    "return",
    "reroute",
    "reopen",
    "withdraw",
}


class TransitionError(Exception):
    """An action that the ticket's current status does not allow (message in Chinese)."""


def next_status(current: str, action_code: str, *, reopen_count: int = 0) -> str:
    """The status after ``action_code``, or TransitionError with a message for the operator."""
    action = ACTIONS[action_code]
    if current not in action.allowed_from:
        raise TransitionError(f"工单当前状态为「{current}」，不能{action.label}。")
    if action_code == "reopen" and reopen_count >= MAX_REOPENS:
        raise TransitionError(f"该工单已重办过 {reopen_count} 次，不能再次重办。")
    return action.target or current


def pending_extension(events: Sequence[Mapping[Any, Any]]) -> Mapping[Any, Any] | None:
    """The 延期申请 event (oldest first in ``events``) still waiting for a decision, if any."""
    pending = None
    for event in events:
        if event["action"] == "extend":
            pending = event
        elif event["action"] in _ENDS_EXTENSION:
            pending = None
    return pending


def check_extension(
    action_code: str,
    pending: Mapping[Any, Any] | None,
    *,
    decider: str | None = None,
) -> None:
    """One 延期申请 at a time, a decision only on a pending one, and never by the person who
    asked (TransitionError): 延期 needs a second pair of eyes."""
    if action_code == "extend" and pending is not None:
        raise TransitionError("该工单已有待审核的延期申请，请等待 12345 中心批准或驳回。")
    if action_code in EXTENSION_DECISIONS:
        if pending is None:
            raise TransitionError("该工单没有待审核的延期申请。")
        requester = pending["operator"]
        if decider and requester and decider.casefold() == requester.casefold():
            raise TransitionError("延期申请须由申请人以外的管理员审批，您不能审批自己的申请。")


def allowed_actions(current: str, *, extension_pending: bool = False) -> list[str]:
    hidden = {"extend"} if extension_pending else EXTENSION_DECISIONS
    return [
        code
        for code in CONSOLE_ACTIONS
        if current in ACTIONS[code].allowed_from and code not in hidden
    ]


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


# ---- input checks of an allowed action -------------------------------------------------------

URGENT_DEADLINE = timedelta(days=1)
NORMAL_DEADLINE = timedelta(days=5)
MAX_NOTE = 2000  # a reason, progress note or comment (characters)
MAX_ANSWER = 5000  # as long as the ticket text may be


class InputError(ValueError):
    """Bad operator/API input for an otherwise allowed action (message in Chinese)."""


def deadline_for(urgency: str | None, start: datetime) -> datetime:
    return start + (URGENT_DEADLINE if urgency == "紧急" else NORMAL_DEADLINE)


def changes_for(
    ticket: Mapping[Any, Any],
    action: str,
    *,
    note: str | None,
    answer: str | None,
    department_code: str | None,
    expected_at: datetime | None,
    now: datetime,
    known_department: Callable[[str], bool],
) -> dict[str, Any]:
    """Per-action input checks and the column updates they imply."""
    changes: dict[str, Any] = {}
    if note and len(note) > MAX_NOTE:
        raise InputError(f"说明或原因过长（{len(note)} 字），最多 {MAX_NOTE} 字。")
    if answer and len(answer) > MAX_ANSWER:
        raise InputError(f"答复内容过长（{len(answer)} 字），最多 {MAX_ANSWER} 字。")
    if note:
        changes["last_note"] = note
    if action in ("reroute", "dispatch") and department_code:
        if not known_department(department_code):
            raise InputError(f"未知的部门代码「{department_code}」。")
        if action == "reroute" and department_code == ticket["department_code"]:
            raise InputError("改派的目标部门与当前承办部门相同，请选择其他部门。")
        changes["department_code"] = department_code
    if action == "reroute" and not department_code:
        raise InputError("改派必须选择目标部门。")
    if action in (
        "reroute",
        "return",
        "extend",
        "extend_reject",
        "reopen",
        "withdraw",
        "supervise",
    ) and (not note):
        raise InputError(f"{ACTIONS[action].label}必须填写原因。")
    if action == "progress" and not note:
        raise InputError("请填写办理进展。")
    if action == "answer":
        if not answer:
            raise InputError("答复内容不能为空。")
        changes.update(answer=answer, last_note=answer)
    if action in DATED_ACTIONS:
        if expected_at is None:
            raise InputError(f"{ACTIONS[action].label}必须填写新的办理期限。")
        if expected_at <= now:
            raise InputError("新的办理期限必须晚于当前时间。")
        # A request leaves the deadline until it is granted; 督办 sets it at once.
        if action in ("extend_approve", SUPERVISE):
            changes["expected_at"] = expected_at
    if action == "reopen":
        changes.update(
            reopen_count=ticket["reopen_count"] + 1,
            answer=None,
            expected_at=deadline_for(ticket["urgency"], now),
        )
    return changes
