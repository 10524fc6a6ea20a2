"""The lock-out counter as one conditional UPDATE, claimed *before* the slow password hash is
checked: of any number of parallel guesses only `max_attempts` get a check; the one that takes
the last also locks the account until `lock_until`. Locking never resets the counter (a lock
that ran out starts a fresh count on the next attempt).

Built over the caller's columns, so the admin console (ORM) and the intake (Core) share it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Update, and_, case, or_, update


@dataclass(frozen=True)
class LockoutPolicy:
    max_failed_logins: int = 5
    lockout: timedelta = timedelta(minutes=15)


def claim_attempt(
    target: Any,
    *,
    id_column: Any,
    failed_column: Any,
    locked_column: Any,
    account_id: int,
    now: datetime,
    max_attempts: int,
    lock_until: datetime,
) -> Update:
    """UPDATE … RETURNING the attempt's number; no row while the account is locked."""
    expired = and_(locked_column.is_not(None), locked_column <= now)
    attempt = case((expired, 1), else_=failed_column + 1)
    return (
        update(target)
        .where(id_column == account_id, or_(locked_column.is_(None), locked_column <= now))
        .values(
            {
                failed_column: attempt,
                locked_column: case((attempt >= max_attempts, lock_until), else_=None),
            }
        )
        .returning(failed_column)
    )
