"""An edited 派单目录 takes effect in the running router at once: a new matter routes its
reports (its terms become whole words), and a broken edit leaves the old router in place."""

from __future__ import annotations

import copy

import pytest

from classifiers import Router, RouterHolder
from classifiers.catalogue import CatalogueError

REPORT = "小区门口新装的智能快递柜坏了一个多星期，取件码输了也打不开。"


def test_a_new_matter_routes_at_once_and_a_bad_edit_changes_nothing(router: Router) -> None:
    holder = RouterHolder(router=router)
    documents = copy.deepcopy(router.catalogue.documents())
    sw = next(d for d in documents if d["unit"] == "SW")
    sw["matters"].append(
        {
            "id": "SW-099",
            "name": "智能快递柜故障",
            "terms": ["智能快递柜", "快递柜"],
            "phrasings": ["快递柜打不开", "快递柜坏了没人修"],
            "co_units": [],
            "scope": "city",
            "appeal_types": ["投诉"],
            "basis": "商贸流通：末端配送设施",
        }
    )
    version = holder.reload_catalogue(documents)
    assert version != router.catalogue.version and holder.router.catalogue.version == version
    result = holder.classify(REPORT)
    assert result.department_code == "SW"
    assert result.matters[0].id == "SW-099"
    assert "智能快递柜" in holder.router.analyzer.words(REPORT)
    assert router.catalogue.matter("SW-099") is None  # the old router is untouched
    broken = copy.deepcopy(documents)
    broken[0]["matters"][0]["id"] = "nonsense"
    with pytest.raises(CatalogueError):
        holder.reload_catalogue(broken)
    assert holder.router.catalogue.version == version
