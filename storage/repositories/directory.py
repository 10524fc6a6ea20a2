from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Department, District


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def districts_by_name(self) -> dict[str, District]:
        rows = await self._session.scalars(select(District))
        return {district.name: district for district in rows}

    async def district(self, district_id: int | None) -> District | None:
        return await self._session.get(District, district_id) if district_id else None

    async def departments_by_code(self) -> dict[str, Department]:
        rows = await self._session.scalars(select(Department))
        return {department.code: department for department in rows}

    async def department(self, code: str) -> Department | None:
        return await self._session.scalar(select(Department).where(Department.code == code))

    async def claim_department(self, department_id: int, version: int) -> bool:
        """Compare-and-set before an edit: True when the department is still at `version`;
        it then stays locked to other writers until this transaction ends."""
        result = await self._session.execute(
            update(Department)
            .where(Department.id == department_id, Department.version == version)
            .values(version=version)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    async def department_by_id(self, department_id: int | None) -> Department | None:
        return await self._session.get(Department, department_id) if department_id else None

    async def active_departments(self) -> list[Department]:
        rows = await self._session.scalars(
            select(Department)
            .where(Department.active.is_(True))
            .order_by(Department.category, Department.code)
        )
        return list(rows)

    async def all_departments(self) -> list[Department]:
        """Active and inactive: the directory page lists both."""
        rows = await self._session.scalars(
            select(Department).order_by(Department.category, Department.code)
        )
        return list(rows)

    def add(self, item: District | Department) -> None:
        self._session.add(item)
