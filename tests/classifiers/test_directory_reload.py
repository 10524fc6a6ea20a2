"""Reloading the router with another directory (what admins edit in the console): new aliases
count at once, units the model never learned are suggested when named, and classify() keeps
answering while the new router is built."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from classifiers import DepartmentInfo, Directory, Router, RouterHolder

# 建管站 is a local name for the 住建 office: without the alias nothing points to ZJ.
BUILDING_SITE = "这件事请建管站尽快给个答复，我们已经等了一个多月了。"
# A unit added in the console has no matters and no learned weights: only its name points to it.
RESETTLEMENT = "这件事请房屋征收办尽快给个答复，我们已经等了一个多月了。"
UNRELATED = "北塔区状元洲街道路口流动摊贩占道经营，城管执法人员从来不来管。"
NEW_UNIT = DepartmentInfo(
    code="FWZS",
    name="邵阳市房屋征收与补偿办公室",
    aliases=("房屋征收办",),
    keywords=("征收补偿",),
    duty="国有土地上房屋征收与补偿",
    category="城乡建设",
)


def _edited(directory: Directory, *, alias: str | None = None, add: bool = False) -> Directory:
    departments = [
        replace(d, aliases=(*d.aliases, alias)) if alias and d.code == "ZJ" else d
        for d in directory.departments
    ]
    if add:
        departments.append(NEW_UNIT)
    return Directory(directory.city, directory.categories, departments, directory.districts)


@pytest.fixture(scope="module")
def edited_router(router: Router) -> Router:
    """The shipped router reloaded with 建管站 added to ZJ and one unit the model never saw."""
    holder = RouterHolder(router=router)
    holder.reload(_edited(router.directory, alias="建管站", add=True), model=False)
    return holder.router


def test_alias_added_after_training_routes_the_report(
    router: Router, edited_router: Router
) -> None:
    assert router.classify(BUILDING_SITE).department_code != "ZJ"
    result = edited_router.classify(BUILDING_SITE)
    assert result.department_code == "ZJ"
    evidence = result.candidates[0].evidence
    assert any(e.term == "建管站" and e.source == "alias" for e in evidence)
    assert edited_router.analyzer is not router.analyzer  # a new word: the tokenizer rebuilt
    assert "建管站" in edited_router.analyzer.tokens(BUILDING_SITE)
    assert edited_router.version == router.version  # model=False keeps the learned model


def test_unit_the_model_never_learned_is_suggested_when_named(edited_router: Router) -> None:
    assert not edited_router.scorer.is_learned("FWZS")
    result = edited_router.classify(RESETTLEMENT)
    best = result.candidates[0]
    assert (best.department_code, best.department_name) == ("FWZS", NEW_UNIT.name)
    assert any(e.term == "房屋征收办" and e.source == "alias" for e in best.evidence)
    # A name alone, for a unit with no matters and no weights: a suggestion to confirm.
    assert not result.auto_route and result.confidence < result.threshold


def test_unit_the_model_never_learned_stays_out_of_other_reports(
    router: Router, edited_router: Router
) -> None:
    before, after = router.classify(UNRELATED), edited_router.classify(UNRELATED)
    assert "FWZS" not in {c.department_code for c in after.candidates}
    assert [(c.department_code, c.score, c.confidence) for c in after.candidates] == [
        (c.department_code, c.score, c.confidence) for c in before.candidates
    ]


def test_unit_missing_from_the_directory_is_never_suggested(router: Router) -> None:
    assert router.classify(UNRELATED).department_code == "CG"
    directory = router.directory
    without = [d for d in directory.departments if d.code != "CG"]
    holder = RouterHolder(router=router)
    holder.reload(Directory(directory.city, directory.categories, without, directory.districts))
    result = holder.classify(UNRELATED, top_k=50)
    assert "CG" not in {c.department_code for c in result.candidates}
    assert len(result.candidates) == len(without)


def test_same_words_keep_the_tokenizer(router: Router) -> None:
    holder = RouterHolder(router=router)
    directory = router.directory
    # a new duty changes no dictionary word: the tokenizer and the model are kept
    departments = [replace(d, duty=d.duty + "。") for d in directory.departments]
    holder.reload(
        Directory(directory.city, directory.categories, departments, directory.districts),
        model=False,
    )
    assert holder.router is not router and holder.router.analyzer is router.analyzer
    assert holder.router.directory.department("ZJ").duty.endswith("。")


def test_classify_keeps_answering_while_the_router_is_rebuilt(router: Router) -> None:
    holder = RouterHolder(router=router)
    seen: list[str] = []
    errors: list[BaseException] = []
    reloading, stop = threading.Event(), threading.Event()
    during: list[int] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                seen.append(holder.classify(BUILDING_SITE).department_code)
            except BaseException as error:  # any failure fails the test
                errors.append(error)
            if reloading.is_set():
                during.append(1)

    worker = threading.Thread(target=serve)
    worker.start()
    reloading.set()
    holder.reload(_edited(router.directory, alias="建管站"), model=False)  # rebuilds jieba
    reloading.clear()
    after, deadline = len(seen), time.monotonic() + 30
    while len(seen) < after + 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    worker.join(timeout=30)
    assert not errors
    assert during, "no report was classified while the new router was built"
    assert seen[0] != "ZJ" and seen[-1] == "ZJ"  # the old router, then the new one
