"""Small shapes the console's services share: a page of rows, a code/name option, and the
directory lookups every list needs to print names instead of ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from storage.models import Department
from storage.uow import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    number: int  # 1-based
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.size - 1) // self.size, 1)


@dataclass(frozen=True)
class Option:
    code: str
    name: str


async def options(uow: UnitOfWork) -> tuple[list[Option], list[Option]]:
    """Active departments and all districts, for filters and pickers."""
    departments = [Option(d.code, d.name) for d in await uow.directory.active_departments()]
    districts = sorted(
        (Option(d.code, d.name) for d in (await uow.directory.districts_by_name()).values()),
        key=lambda option: option.code,
    )
    return departments, districts


async def directory_maps(uow: UnitOfWork) -> tuple[dict[int, Department], dict[int, str]]:
    """Departments and district names by id."""
    departments = {d.id: d for d in (await uow.directory.departments_by_code()).values()}
    districts = {d.id: d.name for d in (await uow.directory.districts_by_name()).values()}
    return departments, districts
