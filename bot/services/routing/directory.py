"""The directory the running router classifies with: the database's departments and districts
(what admins edit in the console) laid over the shipped directory files that seeded them.

The router is built from it at start-up and rebuilt after every department edit or creation
and on SIGHUP. `python -m classifiers train` still learns from the shipped files only: a new
alias or name counts at once (alias matching), a unit added in the console is suggested when
a report names it, but new keywords and duties gain learned weight only by `train`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from classifiers import DepartmentInfo, Directory, DistrictInfo
from classifiers.directory import parse_directory
from storage.models import Department, District
from storage.uow import UnitOfWork, UnitOfWorkFactory


class ReloadableClassifier(Protocol):
    """The running router (`classifiers.RouterHolder`)."""

    def reload(self, directory: Directory | None = None, *, model: bool = True) -> str: ...


async def database_directory(uow: UnitOfWork, seed: Directory) -> Directory:
    """The active departments and the districts in the database, as a classifier Directory.

    What the database does not keep comes from ``seed`` (the shipped files) by code: district
    aliases and seat coordinates, a department's parent and district scope, and the category
    of a department saved without one. Categories the seed lacks are appended (the category
    model does not know them: such departments score at the category floor)."""
    departments = await uow.directory.all_departments()
    districts = (await uow.directory.districts_by_name()).values()
    by_seed = _seed_order(seed.districts)
    return _directory(seed, departments, sorted(districts, key=lambda d: by_seed(d.code)))


def _directory(
    seed: Directory, departments: list[Department], districts: list[District]
) -> Directory:
    code_of = {d.id: d.code for d in departments}
    by_seed = _seed_order(seed.departments)
    active = sorted((d for d in departments if d.active), key=lambda d: by_seed(d.code))
    active_codes = {d.code for d in active}
    raw_departments = [_department(seed, d, code_of, active_codes) for d in active]
    categories = list(seed.categories)
    for raw in raw_departments:
        if raw["category"] not in categories:
            categories.append(raw["category"])
    return parse_directory(
        {"city": seed.city, "categories": categories, "departments": raw_departments},
        {"districts": [_district(seed, d) for d in districts]},
    )


def _seed_order(seed: Sequence[DepartmentInfo | DistrictInfo]) -> Callable[[str], tuple[int, str]]:
    # The seed's order first (as the shipped files list them), then rows added since, by code.
    index = {item.code: i for i, item in enumerate(seed)}
    return lambda code: (index.get(code, len(index)), code)


def _district(seed: Directory, row: District) -> dict[str, Any]:
    known = next((d for d in seed.districts if d.code == row.code), None)
    return {
        "code": row.code,
        "name": row.name,
        "towns": list(row.towns or []),
        "aliases": list(known.aliases) if known else [],
        "center": list(known.center) if known and known.center else None,
    }


def _department(
    seed: Directory, row: Department, code_of: dict[int, str], active: set[str]
) -> dict[str, Any]:
    known = seed.department(row.code) if seed.has_department(row.code) else None
    parent = code_of.get(row.parent_id) if row.parent_id else None
    parent = parent or (known.parent_code if known else None)
    return {
        "code": row.code,
        "name": row.name,
        "aliases": list(row.aliases or []),
        "keywords": list(row.keywords or []),
        "duty": row.duty or "",
        "category": row.category or (known.category if known else ""),
        "parent_code": parent if parent in active and parent != row.code else None,
        "district_scope": known.district_scope if known else "city",
    }


class RouterDirectory:
    """Keeps the running router's directory in step with the database. One per process:
    refreshes run one at a time, so a slow one never overwrites a newer directory."""

    def __init__(
        self, classifier: ReloadableClassifier, uow_factory: UnitOfWorkFactory, seed: Directory
    ) -> None:
        self._classifier = classifier
        self._uow_factory = uow_factory
        self._seed = seed
        self._lock = asyncio.Lock()
        # Several instances: tells the others to refresh too (the wiring sets it).
        self.announce: Callable[[], None] = lambda: None

    async def refresh(self, *, model: bool = False, announce: bool = True) -> str:
        """Rebuild the router over the database's directory (``model=True``: and load the
        newest model file); returns the model version. Calls in flight finish on the old one.
        ``announce=False``: the refresh was announced by another instance."""
        async with self._lock:
            async with self._uow_factory() as uow:
                directory = await database_directory(uow, self._seed)
            # The tokenizer rebuild (when words changed) takes a second or two: off the loop.
            version = await asyncio.to_thread(self._classifier.reload, directory, model=model)
        if announce:
            self.announce()
        return version
