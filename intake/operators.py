"""Operator accounts of the console: argon2 passwords, a lock-out that holds under parallel
guessing, and server-side sessions. The pieces are the admin console's (credentials/): the
attempt is claimed in one conditional UPDATE before the slow hash is checked, so 40 parallel
wrong passwords check exactly `max_failed_logins` of them and the right one is then refused."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from credentials.lockout import LockoutPolicy, claim_attempt
from credentials.passwords import (
    MIN_PASSWORD,
    hash_password,
    needs_rehash,
    verify_nothing,
    verify_password,
)
from credentials.tokens import hash_token, new_token
from credentials.usernames import normalize_username, username_key
from intake import audit, roles
from intake.db import operator_sessions, operators
from intake.timeutil import utcnow

# Letters of any script (王芳 is a fine name), digits and . _ -, after NFKC.
USERNAME_RE = re.compile(r"^[\w.\-]{2,32}$")


@dataclass(frozen=True)
class OperatorPolicy(LockoutPolicy):
    """The admin console's lock-out (5 failures, 15 minutes) and a working day's session."""

    session_lifetime: timedelta = timedelta(hours=12)


class AccountError(ValueError):
    """An account change refused; the message is for the person (Chinese)."""


class LoginProblem(StrEnum):
    FAILED = "failed"  # unknown name or wrong password: never say which
    LOCKED = "locked"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Operator:
    """Who is signed in on this request."""

    id: int
    username: str
    role: str
    session_id: int
    csrf_token: str

    def can(self, what: str) -> bool:
        return roles.allows(self.role, what)

    @property
    def role_label(self) -> str:
        return roles.label(self.role)


@dataclass(frozen=True)
class LoginResult:
    operator: Operator | None = None
    token: str | None = None  # for the cookie; the database keeps only its hash
    problem: LoginProblem | None = None
    locked_until: datetime | None = None


class OperatorAccounts:
    def __init__(
        self,
        engine: AsyncEngine,
        write_lock: AbstractAsyncContextManager[Any],
        policy: OperatorPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._write_lock = write_lock  # SQLite has one writer: the ticket store's lock
        self.policy = policy or OperatorPolicy()
        self._clock = clock

    # ---- accounts ------------------------------------------------------------------------

    async def add(self, username: str, password: str, role: str, *, actor: str) -> RowMapping:
        name = normalize_username(username)
        if not USERNAME_RE.match(name):
            raise AccountError("用户名须为 2–32 个字符（汉字、字母、数字或 . _ -）。")
        parsed = roles.parse_role(role)
        if parsed is None:
            raise AccountError("角色须为 话务员、派单员 或 管理员。")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"密码至少 {MIN_PASSWORD} 位。")
        password_hash = await asyncio.to_thread(hash_password, password)
        now = self._clock()
        try:
            async with self._write_lock, self._engine.begin() as conn:
                values = {
                    "username": name,
                    "username_key": username_key(name),
                    "role": parsed.value,
                    "password_hash": password_hash,
                    "active": True,
                    "failed_logins": 0,
                    "created_at": now,
                }
                row = (
                    (await conn.execute(insert(operators).returning(*operators.c), values))
                    .mappings()
                    .one()
                )
                detail = {"username": name, "role": parsed.value}
                await audit.record(conn, audit.ACCOUNT_ADD, operator=actor, now=now, detail=detail)
        except IntegrityError:
            raise AccountError(f"用户名「{name}」已存在（不区分大小写）。") from None
        return row

    async def list(self) -> Sequence[RowMapping]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(operators).order_by(operators.c.id))
            return rows.mappings().all()

    async def by_name(self, username: str) -> RowMapping | None:
        async with self._engine.connect() as conn:
            query = select(operators).where(operators.c.username_key == username_key(username))
            return (await conn.execute(query)).mappings().first()

    async def set_active(self, account_id: int, active: bool, *, actor: str) -> None:
        await self._change(
            account_id, {"active": active}, audit.ACCOUNT_ACTIVE, actor, {"active": active}
        )
        if not active:  # a disabled account is signed out everywhere at once
            async with self._write_lock, self._engine.begin() as conn:
                await conn.execute(
                    delete(operator_sessions).where(operator_sessions.c.operator_id == account_id)
                )

    async def unlock(self, account_id: int, *, actor: str) -> None:
        changes = {"failed_logins": 0, "locked_until": None}
        await self._change(account_id, changes, audit.ACCOUNT_UNLOCK, actor, None)

    async def _change(
        self,
        account_id: int,
        changes: dict[str, Any],
        action: str,
        actor: str,
        detail: dict[str, Any] | None,
    ) -> None:
        now = self._clock()
        async with self._write_lock, self._engine.begin() as conn:
            result = await conn.execute(
                update(operators)
                .where(operators.c.id == account_id)
                .values(changes)
                .returning(operators.c.username)
            )
            name = result.scalar_one_or_none()
            if name is None:
                raise AccountError("账号不存在。")
            await audit.record(
                conn, action, operator=actor, now=now, detail={"account": name, **(detail or {})}
            )

    # ---- sign-in and sessions ------------------------------------------------------------

    async def login(self, username: str, password: str) -> LoginResult:
        """The attempt is claimed in the database before the password is checked."""
        account = await self.by_name(username[:64])
        if account is None:  # a miss takes as long as a wrong password
            await asyncio.to_thread(verify_nothing, password)
            return LoginResult(problem=LoginProblem.FAILED)
        now = self._clock()
        policy = self.policy
        async with self._write_lock, self._engine.begin() as conn:
            claim = claim_attempt(
                operators,
                id_column=operators.c.id,
                failed_column=operators.c.failed_logins,
                locked_column=operators.c.locked_until,
                account_id=account["id"],
                now=now,
                max_attempts=policy.max_failed_logins,
                lock_until=now + policy.lockout,
            )
            attempt = (await conn.execute(claim)).scalar_one_or_none()
        if attempt is None:
            until = await self._locked(account)
            return LoginResult(problem=LoginProblem.LOCKED, locked_until=until)
        if not await asyncio.to_thread(verify_password, account["password_hash"], password):
            return await self._failed(account, attempt, now)
        if not account["active"]:
            return LoginResult(problem=LoginProblem.INACTIVE)
        return await self._signed_in(account, password, now)

    async def _locked(self, account: RowMapping) -> datetime | None:
        async with self._engine.connect() as conn:
            query = select(operators.c.locked_until).where(operators.c.id == account["id"])
            return (await conn.execute(query)).scalar_one_or_none()

    async def _failed(self, account: RowMapping, attempt: int, now: datetime) -> LoginResult:
        locked = attempt >= self.policy.max_failed_logins  # this attempt took the last check
        async with self._write_lock, self._engine.begin() as conn:
            await audit.record(
                conn,
                audit.LOCKED if locked else audit.LOGIN_FAILED,
                operator=account["username"],
                now=now,
                detail={"failures": attempt},
            )
        if locked:
            return LoginResult(problem=LoginProblem.LOCKED, locked_until=now + self.policy.lockout)
        return LoginResult(problem=LoginProblem.FAILED)

    async def _signed_in(self, account: RowMapping, password: str, now: datetime) -> LoginResult:
        token, csrf = new_token(), secrets.token_urlsafe(32)
        rehash = needs_rehash(account["password_hash"])
        new_hash = await asyncio.to_thread(hash_password, password) if rehash else None
        async with self._write_lock, self._engine.begin() as conn:
            reset: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
            if new_hash:
                reset["password_hash"] = new_hash
            await conn.execute(
                update(operators).where(operators.c.id == account["id"]).values(reset)
            )
            await conn.execute(
                delete(operator_sessions).where(operator_sessions.c.expires_at <= now)
            )
            session_id = (
                await conn.execute(
                    insert(operator_sessions).returning(operator_sessions.c.id),
                    {
                        "token_hash": hash_token(token),
                        "operator_id": account["id"],
                        "csrf_token": csrf,
                        "created_at": now,
                        "expires_at": now + self.policy.session_lifetime,
                    },
                )
            ).scalar_one()
            await audit.record(conn, audit.LOGIN, operator=account["username"], now=now)
        operator = Operator(account["id"], account["username"], account["role"], session_id, csrf)
        return LoginResult(operator=operator, token=token)

    async def resolve(self, token: str) -> Operator | None:
        """The signed-in operator behind a session cookie, or None (unknown, expired,
        disabled)."""
        query = (
            select(operator_sessions, operators.c.username, operators.c.role, operators.c.active)
            .join(operators, operators.c.id == operator_sessions.c.operator_id)
            .where(operator_sessions.c.token_hash == hash_token(token))
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        if row is None or not row["active"] or row["expires_at"] <= self._clock():
            return None
        return Operator(
            row["operator_id"], row["username"], row["role"], row["id"], row["csrf_token"]
        )

    async def logout(self, operator: Operator) -> None:
        async with self._write_lock, self._engine.begin() as conn:
            await conn.execute(
                delete(operator_sessions).where(operator_sessions.c.id == operator.session_id)
            )
            await audit.record(conn, audit.LOGOUT, operator=operator.username, now=self._clock())
