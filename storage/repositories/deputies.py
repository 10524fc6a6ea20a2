from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Deputy


class DeputyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, deputy_id: int) -> Deputy | None:
        return await self._session.get(Deputy, deputy_id)

    async def by_phone(self, phone: str) -> Deputy | None:
        return await self._session.scalar(select(Deputy).where(Deputy.phone == phone))

    async def by_telegram_id(self, telegram_user_id: int) -> Deputy | None:
        return await self._session.scalar(
            select(Deputy).where(Deputy.telegram_user_id == telegram_user_id)
        )

    async def by_phones(self, phones: Sequence[str]) -> dict[str, Deputy]:
        if not phones:
            return {}
        rows = await self._session.scalars(select(Deputy).where(Deputy.phone.in_(phones)))
        return {deputy.phone: deputy for deputy in rows}

    async def bound_active(self) -> list[Deputy]:
        rows = await self._session.scalars(
            select(Deputy).where(Deputy.telegram_user_id.is_not(None), Deputy.active.is_(True))
        )
        return list(rows)

    async def all(self) -> list[Deputy]:
        return list(await self._session.scalars(select(Deputy).order_by(Deputy.id)))

    def add(self, deputy: Deputy) -> None:
        self._session.add(deputy)

    async def flush(self) -> None:
        await self._session.flush()
