from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def record(
        self,
        actor: str,
        action: str,
        *,
        entity: str = "",
        entity_id: str | int = "",
        before: dict[str, object] | None = None,
        after: dict[str, object] | None = None,
    ) -> None:
        self._session.add(
            AuditLog(
                actor=actor,
                action=action,
                entity=entity,
                entity_id=str(entity_id),
                before=before,
                after=after,
            )
        )

    async def by_action(self, action: str, limit: int = 100) -> list[AuditLog]:
        rows = await self._session.scalars(
            select(AuditLog)
            .where(AuditLog.action == action)
            .order_by(AuditLog.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def for_entity(
        self, entity: str, entity_id: str | int, actions: Collection[str] | None = None
    ) -> list[AuditLog]:
        """One entity's records (only those of `actions` when given), oldest first."""
        query = select(AuditLog).where(
            AuditLog.entity == entity, AuditLog.entity_id == str(entity_id)
        )
        if actions is not None:
            query = query.where(AuditLog.action.in_(actions))
        return list(await self._session.scalars(query.order_by(AuditLog.id)))
