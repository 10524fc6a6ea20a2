"""Admin console accounts: argon2 passwords, lock-out after repeated failures, and server-side
sessions whose cookie token is stored only as a SHA-256 hash. Transport-free: the web layer
hands in the cookie's token and gets back who is signed in."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core import metrics
from bot.core.refusal import Refusal
from credentials.lockout import LockoutPolicy
from credentials.passwords import (
    MIN_PASSWORD,
    hash_password,
    needs_rehash,
    verify_nothing,
    verify_password,
)
from credentials.tokens import hash_token, new_token
from credentials.usernames import normalize_username
from storage.base import utcnow
from storage.models import ConsoleSession, ConsoleUser
from storage.uow import UnitOfWork

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,64}$")
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


class Role(StrEnum):
    ADMIN = "admin"  # everything, including directories, dead letters and accounts
    OPERATOR = "operator"  # reviews routing decisions and routes the triage queue
    VIEWER = "viewer"  # reads every review page, changes nothing


ROLE_RANK = {Role.VIEWER: 1, Role.OPERATOR: 2, Role.ADMIN: 3}


def role_allows(role: str, needed: Role) -> bool:
    """Roles are nested: admin ⊇ operator ⊇ viewer."""
    try:
        return ROLE_RANK[Role(role)] >= ROLE_RANK[needed]
    except ValueError:
        return False  # an unknown role in the database may do nothing


class AccountProblem(StrEnum):
    USERNAME_INVALID = "username_invalid"
    ROLE_INVALID = "role_invalid"
    PASSWORD_TOO_SHORT = "password_too_short"  # details: length
    USERNAME_TAKEN = "username_taken"  # details: username


class LoginProblem(StrEnum):
    FAILED = "failed"  # unknown name or wrong password: never say which
    LOCKED = "locked"
    INACTIVE = "inactive"


class ConsoleAuthError(Refusal):
    """An account change refused (an AccountProblem); nothing was changed."""


@dataclass(frozen=True)
class AuthPolicy(LockoutPolicy):
    """The shared lock-out (5 failures, 15 minutes) and an 8-hour session."""

    session_lifetime: timedelta = timedelta(hours=8)


@dataclass(frozen=True)
class ConsoleIdentity:
    """Who is signed in on this request."""

    user_id: int
    username: str
    role: str
    session_id: int
    csrf_token: str

    @property
    def actor(self) -> str:
        """How this person appears in the audit log."""
        return f"console:{self.username}"

    def can(self, needed: Role) -> bool:
        return role_allows(self.role, needed)


@dataclass(frozen=True)
class LoginResult:
    identity: ConsoleIdentity | None = None
    token: str | None = None  # goes into the cookie; the database keeps only its hash
    error: LoginProblem | None = None
    locked_until: datetime | None = None  # with LOCKED


class ConsoleAuthService:
    def __init__(
        self,
        uow: UnitOfWork,
        policy: AuthPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._policy = policy or AuthPolicy()
        self._clock = clock

    async def create_user(
        self, username: str, password: str, role: str, *, actor: str
    ) -> ConsoleUser:
        username = normalize_username(username)
        if not USERNAME_RE.match(username):
            raise ConsoleAuthError(AccountProblem.USERNAME_INVALID)
        if role not in {r.value for r in Role}:
            raise ConsoleAuthError(AccountProblem.ROLE_INVALID)
        if len(password) < MIN_PASSWORD:
            raise ConsoleAuthError(AccountProblem.PASSWORD_TOO_SHORT, length=MIN_PASSWORD)
        if await self._uow.console.user_by_name(username) is not None:
            raise ConsoleAuthError(AccountProblem.USERNAME_TAKEN, username=username)
        password_hash = await asyncio.to_thread(hash_password, password)
        user = ConsoleUser(username=username, password_hash=password_hash, role=role)
        self._uow.console.add(user)
        await self._uow.console.flush()
        self._uow.audit.record(
            actor,
            "console.user_create",
            entity="console_user",
            entity_id=user.id,
            after={"username": username, "role": role},
        )
        await self._uow.commit()
        return user

    async def login(self, username: str, password: str, *, user_agent: str = "") -> LoginResult:
        """The password is checked only after the attempt is claimed in the database, so
        parallel guesses cannot check more than `max_failed_logins` passwords per lock."""
        user = await self._uow.console.user_by_name(normalize_username(username))
        if user is None:  # a miss takes as long as a wrong password
            await asyncio.to_thread(verify_nothing, password)
            metrics.sign_in("failed")
            return LoginResult(error=LoginProblem.FAILED)
        now = self._clock()
        policy = self._policy
        attempt = await self._uow.console.claim_login_attempt(
            user.id, now, policy.max_failed_logins, now + policy.lockout
        )
        await self._uow.commit()  # the claim counts whatever happens to this request next
        if attempt is None:
            locked_until = await self._uow.console.locked_until(user.id)
            metrics.sign_in("locked")
            return LoginResult(error=LoginProblem.LOCKED, locked_until=locked_until)
        if not await asyncio.to_thread(verify_password, user.password_hash, password):
            return await self._failed(user, attempt, now)
        if not user.active:
            metrics.sign_in("inactive")
            return LoginResult(error=LoginProblem.INACTIVE)
        if needs_rehash(user.password_hash):
            user.password_hash = await asyncio.to_thread(hash_password, password)
        await self._uow.console.login_succeeded(user.id)
        token = new_token()
        session = ConsoleSession(
            token_hash=hash_token(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + self._policy.session_lifetime,
            last_seen_at=now,
            user_agent=user_agent[:255],
        )
        await self._uow.console.delete_expired_sessions(now)
        self._uow.console.add(session)
        await self._uow.console.flush()
        self._uow.audit.record(
            f"console:{user.username}", "console.login", entity="console_user", entity_id=user.id
        )
        await self._uow.commit()
        metrics.sign_in("ok")
        identity = ConsoleIdentity(
            user.id, user.username, user.role, session.id, session.csrf_token
        )
        return LoginResult(identity=identity, token=token)

    async def _failed(self, user: ConsoleUser, attempt: int, now: datetime) -> LoginResult:
        locked = attempt >= self._policy.max_failed_logins  # this attempt took the last check
        self._uow.audit.record(
            f"console:{user.username}",
            "console.locked" if locked else "console.login_failed",
            entity="console_user",
            entity_id=user.id,
            after={"failures": attempt},
        )
        await self._uow.commit()
        metrics.sign_in("failed")
        if locked:
            metrics.lockout()
            return LoginResult(error=LoginProblem.LOCKED, locked_until=now + self._policy.lockout)
        return LoginResult(error=LoginProblem.FAILED)

    async def resolve(self, token: str) -> ConsoleIdentity | None:
        """The signed-in person behind a session cookie, or None (unknown, expired, disabled)."""
        session = await self._uow.console.session_by_hash(hash_token(token))
        if session is None:
            return None
        now = self._clock()
        user = await self._uow.console.user(session.user_id)
        if session.expires_at <= now or user is None or not user.active:
            await self._uow.console.delete_session(session.id)
            await self._uow.commit()
            return None
        if now - session.last_seen_at >= TOUCH_EVERY:
            session.last_seen_at = now
            await self._uow.commit()
        return ConsoleIdentity(user.id, user.username, user.role, session.id, session.csrf_token)

    async def logout(self, identity: ConsoleIdentity) -> None:
        await self._uow.console.delete_session(identity.session_id)
        self._uow.audit.record(
            identity.actor, "console.logout", entity="console_user", entity_id=identity.user_id
        )
        await self._uow.commit()
