"""The admin console's users, login sessions and department versions (never commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConsoleSession, ConsoleUser, DepartmentVersion


class ConsoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def user(self, user_id: int) -> ConsoleUser | None:
        return await self._session.get(ConsoleUser, user_id)

    async def user_by_name(self, username: str) -> ConsoleUser | None:
        return await self._session.scalar(
            select(ConsoleUser).where(ConsoleUser.username == username)
        )

    async def count_failed_login(self, user_id: int) -> int:
        """One more wrong password, counted in the database: parallel guesses all count."""
        result = await self._session.execute(
            update(ConsoleUser)
            .where(ConsoleUser.id == user_id)
            .values(failed_logins=ConsoleUser.failed_logins + 1)
            .returning(ConsoleUser.failed_logins)
        )
        return int(result.scalar_one())

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
