"""The admin console's users, login sessions and department versions (never commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from credentials.lockout import claim_attempt
from storage.models import ConsoleSession, ConsoleUser, DepartmentVersion


class ConsoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def user(self, user_id: int) -> ConsoleUser | None:
        return await self._session.get(ConsoleUser, user_id)

    async def user_by_name(self, username: str) -> ConsoleUser | None:
        """Usernames compare case-insensitively (the caller normalises them first)."""
        return await self._session.scalar(
            select(ConsoleUser).where(func.lower(ConsoleUser.username) == username.lower())
        )

    async def claim_login_attempt(
        self, user_id: int, now: datetime, max_attempts: int, lock_until: datetime
    ) -> int | None:
        """Takes one of the account's password checks before the (slow) hash is verified, in
        one conditional UPDATE: of any number of parallel guesses only `max_attempts` get one;
        the one that takes the last also locks the account until `lock_until`. A lock that ran
        out starts a fresh count. The attempt's number, or None while the account is locked."""
        result = await self._session.execute(
            claim_attempt(
                ConsoleUser,
                id_column=ConsoleUser.id,
                failed_column=ConsoleUser.failed_logins,
                locked_column=ConsoleUser.locked_until,
                account_id=user_id,
                now=now,
                max_attempts=max_attempts,
                lock_until=lock_until,
            )
        )
        claimed = result.scalar_one_or_none()
        return int(claimed) if claimed is not None else None

    async def locked_until(self, user_id: int) -> datetime | None:
        return await self._session.scalar(
            select(ConsoleUser.locked_until).where(ConsoleUser.id == user_id)
        )

    async def login_succeeded(self, user_id: int) -> None:
        await self._session.execute(
            update(ConsoleUser)
            .where(ConsoleUser.id == user_id)
            .values(failed_logins=0, locked_until=None)
        )

    async def session_by_hash(self, token_hash: str) -> ConsoleSession | None:
        return await self._session.scalar(
            select(ConsoleSession).where(ConsoleSession.token_hash == token_hash)
        )

    async def delete_session(self, session_id: int) -> None:
        await self._session.execute(delete(ConsoleSession).where(ConsoleSession.id == session_id))

    async def delete_expired_sessions(self, now: datetime) -> None:
        await self._session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))

    async def department_versions(self, department_id: int) -> list[DepartmentVersion]:
        rows = await self._session.scalars(
            select(DepartmentVersion)
            .where(DepartmentVersion.department_id == department_id)
            .order_by(DepartmentVersion.version.desc())
        )
        return list(rows)

    async def has_department_version(self, department_id: int, version: int) -> bool:
        count = await self._session.scalar(
            select(func.count())
            .select_from(DepartmentVersion)
            .where(
                DepartmentVersion.department_id == department_id,
                DepartmentVersion.version == version,
            )
        )
        return bool(count)

    def add(self, item: ConsoleUser | ConsoleSession | DepartmentVersion) -> None:
        self._session.add(item)

    async def flush(self) -> None:
        await self._session.flush()
