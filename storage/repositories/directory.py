from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Department, District


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def districts_by_name(self) -> dict[str, District]:
        rows = await self._session.scalars(select(District))
        return {district.name: district for district in rows}

    async def district(self, district_id: int) -> District | None:
        return await self._session.get(District, district_id)

    async def departments_by_code(self) -> dict[str, Department]:
        rows = await self._session.scalars(select(Department))
        return {department.code: department for department in rows}

    def add(self, item: District | Department) -> None:
        self._session.add(item)
