"""Catalogue edits over a real database: a saved phrase routes at once; a bad edit is refused."""

from __future__ import annotations

import pytest

from bot.services.routing.catalogue_edits import (
    CatalogueEditError,
    CatalogueEditService,
    CatalogueProblem,
)
from classifiers import RouterHolder, load_directory, load_router
from classifiers.catalogue import read_documents
from console.refusals import words
from storage.uow import UnitOfWorkFactory


async def test_saved_term_routes_and_bad_edit_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    directory = load_directory()
    seed = read_documents()
    holder = RouterHolder(load_router(directory=directory))
    async with uow_factory() as uow:
        service = CatalogueEditService(uow, seed, directory)
        docs = await service.documents()
        matter = dict(next(d for d in docs if d["unit"] == "CG")["matters"][0])
        matter["terms"] = [*matter["terms"], "萤火虫灯箱"]
        wanted = await service.save_matter("CG", matter, matter_id=matter["id"], actor="admin")
    version = holder.reload_catalogue(wanted)
    assert version.startswith("cat-")
    routed = holder.classify("我们小区门口那个萤火虫灯箱坏了好几天")
    assert matter["id"] in [m.id for m in routed.matters]
    async with uow_factory() as uow:
        service = CatalogueEditService(uow, seed, directory)
        saved = [m for d in await service.documents() for m in d["matters"]]
        assert "萤火虫灯箱" in next(m for m in saved if m["id"] == matter["id"])["terms"]
        history = await uow.catalogue.history(matter["id"])
        assert [r.version for r in history] == [1]
        bad = dict(matter, name="灯")
        with pytest.raises(CatalogueEditError) as refused:
            await service.save_matter("CG", bad, matter_id=matter["id"], actor="admin")
        assert refused.value.reason is CatalogueProblem.INVALID
        assert "派单目录校验未通过" in words(refused.value)
        with pytest.raises(CatalogueEditError) as same:
            await service.save_matter("CG", matter, matter_id=matter["id"], actor="admin")
        assert same.value.reason is CatalogueProblem.NO_CHANGES
    async with uow_factory() as uow:
        assert len(await uow.catalogue.history(matter["id"])) == 1
