from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
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

    async def bound_inactive_ids(self) -> list[int]:
        """Telegram accounts still bound to a deputy the registry has deactivated."""
        rows = await self._session.scalars(
            select(Deputy.telegram_user_id).where(
                Deputy.telegram_user_id.is_not(None), Deputy.active.is_(False)
            )
        )
        return [user_id for user_id in rows if user_id is not None]

    async def bound_active(self) -> list[Deputy]:
        rows = await self._session.scalars(
            select(Deputy).where(Deputy.telegram_user_id.is_not(None), Deputy.active.is_(True))
        )
        return list(rows)

    async def all(self) -> list[Deputy]:
        return list(await self._session.scalars(select(Deputy).order_by(Deputy.id)))

    async def search(
        self,
        term: str,
        *,
        bound: bool | None = None,
        active: bool | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[Deputy], int]:
        """The registry page: `term` in the name, phone, 选区 or 联络站; the total for paging."""
        query = select(Deputy)
        if term:
            pattern = f"%{term.replace('%', '').replace('_', '')}%"
            query = query.where(
                or_(
                    Deputy.name.like(pattern),
                    Deputy.phone.like(pattern),
                    Deputy.constituency.like(pattern),
                    Deputy.station.like(pattern),
                )
            )
        if bound is not None:
            query = query.where(
                Deputy.telegram_user_id.is_not(None)
                if bound
                else Deputy.telegram_user_id.is_(None)
            )
        if active is not None:
            query = query.where(Deputy.active.is_(active))
        total = await self._session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self._session.scalars(query.order_by(Deputy.id).offset(offset).limit(limit))
        return list(rows), total or 0

    def add(self, deputy: Deputy) -> None:
        self._session.add(deputy)

    async def flush(self) -> None:
        await self._session.flush()
