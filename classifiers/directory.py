"""Department and district directory: loaded from JSON data files and validated at start-up."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from .types import DepartmentInfo, DistrictInfo

DATA_DIR = Path(__file__).parent / "data"
DEPARTMENTS_FILE = DATA_DIR / "departments.json"
DISTRICTS_FILE = DATA_DIR / "districts.json"
_CITY_PREFIX = re.compile(r"^(邵阳市|邵阳|[A-Z]\d*市|市)")


class DirectoryError(ValueError):
    """The directory data is inconsistent; the message names every problem."""


@dataclass(frozen=True)
class Directory:
    city: str
    categories: tuple[str, ...]
    departments: list[DepartmentInfo]
    districts: list[DistrictInfo]
    _by_code: dict[str, DepartmentInfo] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_code.update({d.code: d for d in self.departments})

    def department(self, code: str) -> DepartmentInfo:
        return self._by_code[code]

    def has_department(self, code: str) -> bool:
        return code in self._by_code

    def names(self, dept: DepartmentInfo) -> list[str]:
        """Official name, the name without the city prefix, and the aliases."""
        short = _CITY_PREFIX.sub("", dept.name)
        out = [dept.name, short, *dept.aliases]
        return list(dict.fromkeys(n for n in out if n))

    def resolve_label(self, label: str) -> str | None:
        """Map a label (department code/name/alias, or a category) onto this directory.

        Returns a department code, a category name, or None when nothing matches well.
        Used for eval files and for department names from other cities' data.
        """
        label = label.strip()
        if label in self._by_code or label in self.categories:
            return label
        table = self._name_table()
        key = _CITY_PREFIX.sub("", label)
        if key in table:
            return table[key]
        hit = process.extractOne(key, list(table), scorer=fuzz.ratio, score_cutoff=80)
        return table[hit[0]] if hit else None

    def _name_table(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for dept in self.departments:
            for name in self.names(dept):
                table.setdefault(name, dept.code)
        return table


def _validate(
    raw_depts: list[dict[str, Any]], categories: list[str], raw_districts: list[Any]
) -> None:
    problems: list[str] = []
    codes = [d.get("code") for d in raw_depts]
    seen: set[str] = set()
    for i, d in enumerate(raw_depts):
        code = d.get("code")
        where = f"department #{i + 1} ({code})"
        if not code or not isinstance(code, str):
            problems.append(f"{where}: missing code")
        elif code in seen:
            problems.append(f"{where}: duplicate code")
        else:
            seen.add(code)
        if not d.get("name"):
            problems.append(f"{where}: missing name")
        if d.get("category") not in categories:
            problems.append(f"{where}: unknown category {d.get('category')!r}")
        parent = d.get("parent_code")
        if parent is not None and parent not in codes:
            problems.append(f"{where}: parent {parent!r} does not exist")
        if parent == code:
            problems.append(f"{where}: is its own parent")
        if d.get("district_scope", "city") not in ("city", "town"):
            problems.append(f"{where}: district_scope must be 'city' or 'town'")
    if len(set(categories)) != len(categories):
        problems.append("categories: duplicates")
    dcodes: set[str] = set()
    for i, d in enumerate(raw_districts):
        if not d.get("code") or not d.get("name"):
            problems.append(f"district #{i + 1}: missing code or name")
        elif d["code"] in dcodes:
            problems.append(f"district #{i + 1} ({d['code']}): duplicate code")
        dcodes.add(d.get("code", ""))
    if problems:
        raise DirectoryError("; ".join(problems))


def parse_directory(departments: dict[str, Any], districts: dict[str, Any]) -> Directory:
    """Build a Directory from the two JSON documents, raising DirectoryError if invalid."""
    raw_depts = departments.get("departments", [])
    categories = list(departments.get("categories", []))
    raw_districts = districts.get("districts", [])
    _validate(raw_depts, categories, raw_districts)
    depts = [
        DepartmentInfo(
            code=d["code"],
            name=d["name"],
            aliases=tuple(d.get("aliases", ())),
            keywords=tuple(d.get("keywords", ())),
            duty=d.get("duty", ""),
            category=d["category"],
            parent_code=d.get("parent_code"),
            district_scope=d.get("district_scope", "city"),
        )
        for d in raw_depts
    ]
    dists = [
        DistrictInfo(
            code=d["code"],
            name=d["name"],
            towns=tuple(d.get("towns", ())),
            aliases=tuple(d.get("aliases", ())),
            center=tuple(d["center"]) if d.get("center") else None,
        )
        for d in raw_districts
    ]
    return Directory(
        city=departments.get("city", ""),
        categories=tuple(categories),
        departments=depts,
        districts=dists,
    )


def departments_document(directory: Directory) -> dict[str, Any]:
    """The departments JSON of ``directory``: what ``parse_directory`` and ``import-directory``
    read (e.g. the bot's database directory, exported for ``train``)."""
    departments = []
    for d in directory.departments:
        entry: dict[str, Any] = {"code": d.code, "name": d.name, "category": d.category}
        if d.parent_code is not None:
            entry["parent_code"] = d.parent_code
        if d.district_scope != "city":
            entry["district_scope"] = d.district_scope
        entry |= {"aliases": list(d.aliases), "duty": d.duty, "keywords": list(d.keywords)}
        departments.append(entry)
    return {
        "city": directory.city,
        "categories": list(directory.categories),
        "departments": departments,
    }


def load_directory(
    departments_path: Path = DEPARTMENTS_FILE, districts_path: Path = DISTRICTS_FILE
) -> Directory:
    with departments_path.open(encoding="utf-8") as f:
        deps = json.load(f)
    with districts_path.open(encoding="utf-8") as f:
        dists = json.load(f)
    return parse_directory(deps, dists)


def import_departments(source: Path, target: Path = DEPARTMENTS_FILE) -> Directory:
    """Admin import: validate a new departments JSON and only then replace the shipped file."""
    with source.open(encoding="utf-8") as f:
        deps = json.load(f)
    with DISTRICTS_FILE.open(encoding="utf-8") as f:
        dists = json.load(f)
    directory = parse_directory(deps, dists)  # raises before anything is written
    target.write_text(json.dumps(deps, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return directory
