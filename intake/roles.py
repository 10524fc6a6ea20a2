"""Operator roles of the reference 12345 console and what each may do (pure, no I/O).

Roles are nested, as in a 12345 centre: a 派单员 also takes calls, a 管理员 also dispatches.
  话务员 (call_taker): the queue and tickets, 受理, 进展, 答复, 办结, a 延期申请
  派单员 (dispatcher): + 派单, 改派, 退单
  管理员 (admin):      + approving or rejecting 延期, accounts, the audit log
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CALL_TAKER = "call_taker"
    DISPATCHER = "dispatcher"
    ADMIN = "admin"


LABELS = {Role.CALL_TAKER: "话务员", Role.DISPATCHER: "派单员", Role.ADMIN: "管理员"}
RANK = {Role.CALL_TAKER: 1, Role.DISPATCHER: 2, Role.ADMIN: 3}

# The least role for each console action (workflow.CONSOLE_ACTIONS) and each page.
NEEDED: dict[str, Role] = {
    "view": Role.CALL_TAKER,
    "accept": Role.CALL_TAKER,
    "progress": Role.CALL_TAKER,
    "answer": Role.CALL_TAKER,
    "close": Role.CALL_TAKER,
    "extend": Role.CALL_TAKER,
    "dispatch": Role.DISPATCHER,
    "reroute": Role.DISPATCHER,
    "return": Role.DISPATCHER,
    "extend_approve": Role.ADMIN,
    "extend_reject": Role.ADMIN,
    "accounts": Role.ADMIN,
    "audit": Role.ADMIN,
}


def parse_role(raw: str) -> Role | None:
    """A role by its code or its Chinese name (话务员/派单员/管理员); None if neither."""
    text = raw.strip()
    for role, label in LABELS.items():
        if text in (role.value, label):
            return role
    return None


def allows(role: str, what: str) -> bool:
    """May `role` do `what` (an action code or a page)? Unknown roles and actions: no."""
    needed = NEEDED.get(what)
    try:
        return needed is not None and RANK[Role(role)] >= RANK[needed]
    except ValueError:
        return False


def label(role: str) -> str:
    try:
        return LABELS[Role(role)]
    except ValueError:
        return role
