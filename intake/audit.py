"""The console's audit log: every sign-in, failed password, lock, sign-out, ticket action and
account change, with who did it. Written in the caller's transaction where there is one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intake.db import audit_log

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOCKED = "locked"
LOGOUT = "logout"
ACCOUNT_ADD = "account_add"
ACCOUNT_ACTIVE = "account_active"
ACCOUNT_UNLOCK = "account_unlock"
# A ticket action is logged under its workflow code ("accept", "extend_approve", …).

LABELS = {
    LOGIN: "登录",
    LOGIN_FAILED: "密码错误",
    LOCKED: "账号锁定",
    LOGOUT: "退出登录",
    ACCOUNT_ADD: "创建账号",
    ACCOUNT_ACTIVE: "启用/停用账号",
    ACCOUNT_UNLOCK: "解除锁定",
}


async def record(
    conn: AsyncConnection,
    action: str,
    *,
    operator: str | None,
    now: datetime,
    ticket_no: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        insert(audit_log).values(
            created_at=now,
            operator=(operator or "")[:64] or None,
            action=action,
            ticket_no=ticket_no,
            detail=detail,
        )
    )


async def recent(engine: AsyncEngine, limit: int = 200) -> Sequence[RowMapping]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(limit))
        return rows.mappings().all()
