"""Department directory: from --departments FILE, else classifiers/data, else built-in.

Reads only code/name/category (and keywords when present) from whatever file it finds, so
the intake server never imports the classifiers package and tolerates its format changing.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CANDIDATES = (
    REPO_ROOT / "classifiers" / "data" / "departments.json",
    REPO_ROOT / "classifiers" / "data" / "departments.csv",
)

BUILTIN: list[dict[str, Any]] = [
    {"code": "ZJ", "name": "邵阳市住房和城乡建设局", "category": "城乡建设"},
    {"code": "CG", "name": "邵阳市城市管理和综合执法局", "category": "城乡建设"},
    {"code": "RS", "name": "邵阳市人力资源和社会保障局", "category": "劳动和社会保障"},
    {"code": "JY", "name": "邵阳市教育局", "category": "教育文体"},
    {"code": "WJ", "name": "邵阳市卫生健康委员会", "category": "卫生计生"},
    {"code": "JT", "name": "邵阳市交通运输局", "category": "交通运输"},
    {"code": "SJ", "name": "邵阳市市场监督管理局", "category": "经济管理"},
    {"code": "ST", "name": "邵阳市生态环境局", "category": "环境保护"},
    {"code": "GD", "name": "国网邵阳供电公司", "category": "城乡建设"},
    {"code": "GS", "name": "邵阳市自来水公司", "category": "城乡建设"},
]


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    category: str = ""
    keywords: tuple[str, ...] = field(default=())


class Directory:
    """Departments by code, in file order."""

    def __init__(self, departments: list[Department]) -> None:
        self._by_code = {d.code: d for d in departments}

    def __iter__(self) -> Iterator[Department]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str | None) -> Department | None:
        return self._by_code.get(code or "")

    def name_of(self, code: str | None) -> str:
        department = self.get(code)
        return department.name if department else (code or "")


def _coerce(rows: Any) -> list[Department]:
    """Keep every row that has a code and a name; ignore everything else."""
    if isinstance(rows, dict):
        rows = rows.get("departments", [])
    result: list[Department] = []
    seen: set[str] = set()
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        code = str(row.get("code") or "").strip()
        name = str(row.get("name") or "").strip()
        if not code or not name or code in seen:
            continue
        keywords = row.get("keywords") or []
        if isinstance(keywords, str):
            keywords = [k.strip() for k in keywords.replace("，", ",").split(",")]
        seen.add(code)
        result.append(
            Department(
                code=code,
                name=name,
                category=str(row.get("category") or "").strip(),
                keywords=tuple(str(k) for k in keywords if str(k).strip())[:20],
            )
        )
    return result


def _read_file(path: Path) -> list[Department]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in {".csv", ".tsv"}:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        return _coerce(list(csv.DictReader(text.splitlines(), delimiter=delimiter)))
    return _coerce(json.loads(text))


def load_departments(
    path: str | Path | None = None, rows: list[dict[str, Any]] | None = None
) -> Directory:
    """Explicit rows > explicit file > classifiers/data > built-in list."""
    if rows is not None:
        found = _coerce(rows)
        if found:
            return Directory(found)
        log.warning("departments list given but empty/invalid; using the built-in list")
    candidates = [Path(path)] if path else list(DEFAULT_CANDIDATES)
    for candidate in candidates:
        try:
            found = _read_file(candidate)
        except (OSError, ValueError, csv.Error) as error:
            if path:
                log.warning("cannot read departments from %s: %s", candidate, error)
            continue
        if found:
            return Directory(found)
    return Directory(_coerce(BUILTIN))
