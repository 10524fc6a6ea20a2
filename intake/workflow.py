"""Ticket statuses and the operator/API actions allowed from each (pure, no I/O).

Kept apart from storage so the rules are one readable table, shared by the console, the
JSON API and the Open311 facade.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        Action("extend", "延期", _WORKING, None),
        Action("urge", "催办", frozenset({SUBMITTED, ANSWERED} | _WORKING), None),
        Action("reopen", "重办", frozenset({ANSWERED, CLOSED}), IN_PROGRESS),
        Action("withdraw", "撤回", frozenset({SUBMITTED, REROUTED}), WITHDRAWN),
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
)


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


def allowed_actions(current: str) -> list[str]:
    return [code for code in CONSOLE_ACTIONS if current in ACTIONS[code].allowed_from]


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"
