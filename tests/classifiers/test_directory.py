from __future__ import annotations

import copy
import json

import pytest

from classifiers.directory import (
    DEPARTMENTS_FILE,
    DISTRICTS_FILE,
    Directory,
    DirectoryError,
    parse_directory,
)


def _raw() -> tuple[dict, dict]:
    return (
        json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8")),
        json.loads(DISTRICTS_FILE.read_text(encoding="utf-8")),
    )


def test_shipped_directory_is_complete(directory: Directory) -> None:
    assert 30 <= len(directory.departments) <= 45
    assert len({d.code for d in directory.departments}) == len(directory.departments)
    names = {d.name for d in directory.districts}
    assert len(directory.districts) == 12
    assert {"双清区", "大祥区", "北塔区", "邵东市", "城步苗族自治县"} <= names
    assert all(d.towns for d in directory.districts)
    for cat in (
        "城乡建设",
        "劳动和社会保障",
        "教育文体",
        "商贸旅游",
        "环境保护",
        "卫生计生",
        "交通运输",
    ):
        assert cat in directory.categories


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["departments"].append(copy.deepcopy(d["departments"][0])), "duplicate code"),
        (lambda d: d["departments"][0].update(category="天文"), "unknown category"),
        (lambda d: d["departments"][0].update(parent_code="NOPE"), "does not exist"),
    ],
)
def test_invalid_directory_is_rejected(mutate, message: str) -> None:
    deps, dists = _raw()
    mutate(deps)
    with pytest.raises(DirectoryError, match=message):
        parse_directory(deps, dists)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("住房和城乡建设局", "ZJ"),
        ("邵阳市教育局", "JY"),
        ("城市管理和综合执法局", "CG"),
        ("人力资源和社会保障局", "RS"),
        ("公安交警", "JJ"),
        ("城乡建设", "城乡建设"),
        ("JY", "JY"),
        ("宇宙飞船管理局", None),
    ],
)
def test_resolve_label(directory: Directory, label: str, expected: str | None) -> None:
    assert directory.resolve_label(label) == expected
