"""Small shapes the console's services share: a page of rows, a code/name option, and the
directory lookups every list needs to print names instead of ids."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from storage.models import Department
from storage.uow import UnitOfWork

T = TypeVar("T")
R = TypeVar("R")
MAX_PAGE = 1_000_000  # far past any real list; keeps the SQL offset a small integer


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    number: int  # 1-based
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.size - 1) // self.size, 1)


async def fetch_page(
    fetch: Callable[[int, int], Awaitable[tuple[list[R], int]]], page: int, size: int
) -> tuple[list[R], int, int]:
    """The rows of 1-based `page` via `fetch(offset, limit)` → (rows, total), the page number
    they are on and the total. A page past the end (an old link, a hand-typed number) shows
    the last page instead of an empty one."""
    page = min(max(page, 1), MAX_PAGE)
    rows, total = await fetch((page - 1) * size, size)
    last = max((total + size - 1) // size, 1)
    if page > last:
        page = last
        rows, total = await fetch((page - 1) * size, size)
    return rows, page, total


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
