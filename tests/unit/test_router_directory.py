"""The router's directory read from the database: what the start-up seed wrote gives the shipped
directory back; admins' edits, new units and deactivations show; the export feeds `train`."""

from __future__ import annotations

import json
from pathlib import Path

from bot.cli import export_directory
from bot.config import Settings
from bot.services.routing.departments import DepartmentFields, DepartmentService
from bot.services.routing.directory import database_directory
from bot.services.routing.directory_sync import sync_directory
from classifiers import load_directory
from classifiers.directory import DISTRICTS_FILE, parse_directory
from storage.uow import UnitOfWorkFactory


async def test_a_freshly_seeded_database_gives_the_shipped_directory(
    uow_factory: UnitOfWorkFactory,
) -> None:
    seed = load_directory()
    async with uow_factory() as uow:
        await sync_directory(uow, seed)
        directory = await database_directory(uow, seed)
    assert directory.categories == seed.categories
    assert directory.departments == seed.departments  # parents and scopes from the seed
    assert directory.districts == seed.districts  # aliases and seats from the seed


async def test_edits_new_units_and_deactivations_show(uow_factory: UnitOfWorkFactory) -> None:
    seed = load_directory()
    async with uow_factory() as uow:
        await sync_directory(uow, seed)
        service = DepartmentService(uow)
        zj = await uow.directory.department("ZJ")
        cg = await uow.directory.department("CG")
        assert zj is not None and cg is not None
        edited = DepartmentFields(
            name=zj.name,
            aliases=[*zj.aliases, "建管站"],
            keywords=list(zj.keywords),
            duty=zj.duty,
            category=zj.category,
        )
        await service.update(zj.id, edited, actor="test")
        closed = DepartmentFields(
            name=cg.name,
            aliases=list(cg.aliases),
            keywords=list(cg.keywords),
            duty=cg.duty,
            category=cg.category,
            active=False,
        )
        await service.update(cg.id, closed, actor="test")
        await service.create(
            "FWZS", DepartmentFields(name="邵阳市房屋征收与补偿办公室", category="征收"), actor="t"
        )
        directory = await database_directory(uow, seed)
    assert "建管站" in directory.department("ZJ").aliases
    assert not directory.has_department("CG")
    assert directory.departments[-1].code == "FWZS"  # units added since the seed come last
    assert directory.categories == (*seed.categories, "征收")  # unknown to the category model


async def test_export_is_a_directory_that_import_directory_accepts(
    uow_factory: UnitOfWorkFactory, sqlite_url: str, tmp_path: Path
) -> None:
    seed = load_directory()
    async with uow_factory() as uow:
        await sync_directory(uow, seed)
    out = tmp_path / "departments.json"
    assert await export_directory(Settings(_env_file=None, database_url=sqlite_url), out) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    districts = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))
    assert parse_directory(exported, districts).departments == seed.departments


async def test_export_of_an_empty_directory_is_refused(
    uow_factory: UnitOfWorkFactory, sqlite_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "departments.json"
    assert await export_directory(Settings(_env_file=None, database_url=sqlite_url), out) == 1
    assert not out.exists()
