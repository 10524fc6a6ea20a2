"""The deputy registry as the console shows it: search, the admin's deactivate / reactivate /
unbind, and file import/export through the same `RegistryService` the CLI uses (an upload is
written to a temporary file and read exactly as `python -m bot registry import FILE` would)."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from bot.core.refusal import Refusal
from bot.services.console.common import Page, fetch_page
from bot.services.deputies.registry import ImportResult, RegistryService, RowError
from bot.services.deputies.registry_files import RowProblem
from storage.models import Deputy
from storage.uow import UnitOfWork

FORMATS = ("csv", "xlsx")


class DeputyAdminProblem(StrEnum):
    FILE_TYPE = "file_type"  # only .csv or .xlsx
    DEPUTY_NOT_FOUND = "deputy_not_found"


class DeputyAdminError(Refusal):
    """The action was refused (a DeputyAdminProblem); nothing was changed."""


@dataclass(frozen=True)
class DeputyQuery:
    term: str = ""
    bound: bool | None = None
    active: bool | None = None


@dataclass(frozen=True)
class DeputyRow:
    id: int
    name: str
    phone: str  # in full: the registry page is for admins only
    level: str
    constituency: str
    station: str
    district: str | None
    bound: bool
    bound_at: datetime | None
    active: bool


@dataclass(frozen=True)
class Export:
    format: str  # "csv" or "xlsx"
    data: bytes
    count: int


class DeputyAdminService:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def search(self, query: DeputyQuery, page: int, size: int = 50) -> Page[DeputyRow]:
        found, page, total = await fetch_page(
            lambda offset, limit: self._uow.deputies.search(
                query.term, bound=query.bound, active=query.active, offset=offset, limit=limit
            ),
            page,
            size,
        )
        districts = {
            d.id: d.name for d in (await self._uow.directory.districts_by_name()).values()
        }
        return Page([_row(d, districts) for d in found], page, size, total)

    async def row(self, deputy_id: int) -> DeputyRow:
        """One deputy as the registry page shows it (for a confirmation)."""
        deputy = await self._get(deputy_id)
        district = await self._uow.directory.district(deputy.district_id)
        return _row(deputy, {district.id: district.name} if district else {})

    async def deactivate(self, deputy_id: int, *, actor: str) -> str:
        return await self._set_active(deputy_id, False, actor)

    async def reactivate(self, deputy_id: int, *, actor: str) -> str:
        return await self._set_active(deputy_id, True, actor)

    async def unbind(self, deputy_id: int, *, actor: str) -> str:
        """Frees the deputy for another Telegram account (a lost or changed phone)."""
        deputy = await self._get(deputy_id)
        if deputy.telegram_user_id is None:
            return deputy.name
        before: dict[str, object] = {
            "tg": f"tg:{deputy.telegram_user_id}",
            "bound_at": _iso(deputy.bound_at),
        }
        deputy.telegram_user_id = None
        deputy.bound_at = None
        self._uow.audit.record(
            actor, "deputy.unbind", entity="deputy", entity_id=deputy.id, before=before, after={}
        )
        await self._uow.commit()
        return deputy.name

    async def import_upload(self, filename: str, data: bytes, *, actor: str) -> ImportResult:
        """An uploaded CSV/XLSX, all or nothing, exactly as the CLI imports a file."""
        suffix = Path(filename).suffix.lower()
        if suffix.lstrip(".") not in FORMATS:
            return ImportResult(errors=[RowError(0, RowProblem.UPLOAD_TYPE)])
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"  # never the uploaded name: no path tricks
            await asyncio.to_thread(path.write_bytes, data)
            return await RegistryService(self._uow).import_file(
                path, actor=actor, source=Path(filename).name[:128]
            )

    async def export(self, fmt: str, *, actor: str) -> Export:
        """The whole registry as the CLI exports it; who took the phone numbers is audited."""
        if fmt not in FORMATS:
            raise DeputyAdminError(DeputyAdminProblem.FILE_TYPE)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"deputies.{fmt}"
            count = await RegistryService(self._uow).export_file(path)
            data = await asyncio.to_thread(path.read_bytes)
        self._uow.audit.record(
            actor, "registry.export", entity="deputy", after={"format": fmt, "count": count}
        )
        await self._uow.commit()
        return Export(fmt, data, count)

    async def _set_active(self, deputy_id: int, active: bool, actor: str) -> str:
        deputy = await self._get(deputy_id)
        if deputy.active != active:
            deputy.active = active
            self._uow.audit.record(
                actor,
                "deputy.reactivate" if active else "deputy.deactivate",
                entity="deputy",
                entity_id=deputy.id,
                before={"active": not active},
                after={"active": active},
            )
            await self._uow.commit()
        return deputy.name

    async def _get(self, deputy_id: int) -> Deputy:
        deputy = await self._uow.deputies.get(deputy_id)
        if deputy is None:
            raise DeputyAdminError(DeputyAdminProblem.DEPUTY_NOT_FOUND)
        return deputy


def _row(deputy: Deputy, districts: dict[int, str]) -> DeputyRow:
    return DeputyRow(
        id=deputy.id,
        name=deputy.name,
        phone=deputy.phone,
        level=deputy.level,
        constituency=deputy.constituency,
        station=deputy.station,
        district=districts.get(deputy.district_id or 0),
        bound=deputy.telegram_user_id is not None,
        bound_at=deputy.bound_at,
        active=deputy.active,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
