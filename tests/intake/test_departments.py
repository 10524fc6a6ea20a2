"""The tolerant department loader."""

from __future__ import annotations

import json
from pathlib import Path

from intake.departments import BUILTIN, load_departments


def test_reads_code_name_category_from_json(tmp_path: Path) -> None:
    path = tmp_path / "deps.json"
    rows = {
        "departments": [
            {
                "code": "A",
                "name": "甲局",
                "category": "城乡建设",
                "duty": "ignored",
                "keywords": ["x"],
            },
            {"code": "", "name": "无代码"},
            "junk",
            {"code": "A", "name": "重复"},
            {"code": "B", "name": "乙局"},
        ]
    }
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    directory = load_departments(path)
    assert [(d.code, d.name, d.category) for d in directory] == [
        ("A", "甲局", "城乡建设"),
        ("B", "乙局", ""),
    ]
    assert directory.get("A") is not None and directory.get("A").keywords == ("x",)  # type: ignore[union-attr]


def test_reads_csv(tmp_path: Path) -> None:
    path = tmp_path / "deps.csv"
    path.write_text("code,name,category\nZJ,住建局,城乡建设\n", encoding="utf-8")
    assert [d.code for d in load_departments(path)] == ["ZJ"]


def test_broken_or_missing_file_falls_back_to_builtin(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    for path in (broken, tmp_path / "missing.json"):
        assert [d.code for d in load_departments(path)] == [d["code"] for d in BUILTIN]


def test_explicit_rows_and_default_directory() -> None:
    assert [d.code for d in load_departments(rows=[{"code": "Q", "name": "Q局"}])] == ["Q"]
    # default: classifiers/data when present, else the built-in list; either has ZJ
    directory = load_departments()
    assert directory.get("ZJ") is not None and len(directory) >= 10
