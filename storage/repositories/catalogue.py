"""Catalogue matter versions (never commits)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CatalogueMatterVersion


class CatalogueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def newest(self) -> list[CatalogueMatterVersion]:
        """The newest version of every edited matter."""
        top = (
            select(CatalogueMatterVersion.matter_id, func.max(CatalogueMatterVersion.version))
            .group_by(CatalogueMatterVersion.matter_id)
            .subquery()
        )
        rows = await self._session.scalars(
            select(CatalogueMatterVersion).join(
                top,
                (CatalogueMatterVersion.matter_id == top.c.matter_id)
                & (CatalogueMatterVersion.version == top.c[1]),
            )
        )
        return list(rows)

    async def history(self, matter_id: str) -> list[CatalogueMatterVersion]:
        rows = await self._session.scalars(
            select(CatalogueMatterVersion)
            .where(CatalogueMatterVersion.matter_id == matter_id)
            .order_by(CatalogueMatterVersion.version)
        )
        return list(rows)

    def add(self, row: CatalogueMatterVersion) -> None:
        self._session.add(row)
