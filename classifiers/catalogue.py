"""The 派单目录 (dispatch catalogue): the matters (诉求事项) each unit handles, loaded from
``data/catalogue/<unit>.json`` and validated at start-up (see ``data/catalogue/README.md``).

The router dispatches by this catalogue first, the way real 12345 hotlines do
(国办函〔2025〕66号); a broken file must stop the start, not route reports silently wrong.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .directory import DATA_DIR, Directory

CATALOGUE_DIR = DATA_DIR / "catalogue"
MIN_MATTERS = 400
APPEAL_TYPES = ("咨询", "求助", "投诉", "举报", "建议")
SCOPES = ("city", "town")
_ID = re.compile(r"^([A-Z][A-Z0-9]*)-(\d{3})$")


class CatalogueError(ValueError):
    """The catalogue is inconsistent; the message names every problem."""


@dataclass(frozen=True, slots=True)
class Matter:
    id: str
    name: str
    unit: str  # 主办 unit code
    terms: tuple[str, ...]
    phrasings: tuple[str, ...]
    co_units: tuple[str, ...] = ()
    scope: str = "city"  # "city" | "town" (the local 乡镇/街道)
    appeal_types: tuple[str, ...] = ()
    basis: str = ""

    @property
    def area(self) -> str:
        """The duty area named before the colon of ``basis`` (市政设施：…), else the basis."""
        head = re.split("[：:]", self.basis, maxsplit=1)[0].strip()
        return head[:12]


@dataclass(frozen=True)
class Catalogue:
    matters: tuple[Matter, ...]
    version: str
    _by_id: dict[str, Matter] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({m.id: m for m in self.matters})

    def matter(self, matter_id: str) -> Matter | None:
        return self._by_id.get(matter_id)

    def units(self) -> set[str]:
        return {m.unit for m in self.matters}

    def for_unit(self, code: str) -> list[Matter]:
        return [m for m in self.matters if m.unit == code]

    def words(self) -> list[str]:
        """Terms and matter names: words the tokenizer must keep whole."""
        out: list[str] = []
        for m in self.matters:
            out += m.terms
        return out

    def documents(self) -> list[dict[str, Any]]:
        """One ``{"unit", "matters"}`` document per unit, as the files hold them."""
        by_unit: dict[str, list[dict[str, Any]]] = {}
        for m in self.matters:
            by_unit.setdefault(m.unit, []).append(matter_document(m))
        return [{"unit": u, "matters": ms} for u, ms in sorted(by_unit.items())]


def matter_document(m: Matter) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "terms": list(m.terms),
        "phrasings": list(m.phrasings),
        "co_units": list(m.co_units),
        "scope": m.scope,
        "appeal_types": list(m.appeal_types),
        "basis": m.basis,
    }


def _strings(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(v.strip() for v in value if v.strip())


def _check_matter(raw: Any, unit: str, where: str, problems: list[str]) -> Matter | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: not an object")
        return None
    mid = raw.get("id")
    if not isinstance(mid, str) or not (m := _ID.match(mid)) or m.group(1) != unit:
        problems.append(f"{where}: id {mid!r} must be {unit}-<3 digits>")
        return None
    name = raw.get("name")
    if not isinstance(name, str) or not 2 <= len(name.strip()) <= 20:
        problems.append(f"{mid}: name must be 2-20 characters")
        return None
    lists = {k: _strings(raw.get(k, [])) for k in ("terms", "phrasings", "co_units")}
    lists["appeal_types"] = _strings(raw.get("appeal_types", []))
    for key, value in lists.items():
        if value is None:
            problems.append(f"{mid}: {key} must be a list of strings")
            return None
    terms, phrasings = lists["terms"] or (), lists["phrasings"] or ()
    if not terms and not phrasings:
        problems.append(f"{mid}: needs terms or phrasings")
    if any(len(t) < 2 for t in terms):
        problems.append(f"{mid}: a term shorter than 2 characters")
    bad_types = [t for t in lists["appeal_types"] or () if t not in APPEAL_TYPES]
    if bad_types:
        problems.append(f"{mid}: unknown appeal types {bad_types}")
    scope = raw.get("scope", "city")
    if scope not in SCOPES:
        problems.append(f"{mid}: scope must be 'city' or 'town'")
    basis = raw.get("basis", "")
    return Matter(
        id=mid,
        name=name.strip(),
        unit=unit,
        terms=tuple(dict.fromkeys(terms)),
        phrasings=tuple(dict.fromkeys(phrasings)),
        co_units=lists["co_units"] or (),
        scope=str(scope),
        appeal_types=lists["appeal_types"] or (),
        basis=basis.strip() if isinstance(basis, str) else "",
    )


def parse_catalogue(
    documents: Iterable[dict[str, Any]],
    directory: Directory,
    *,
    complete: bool = True,
    min_matters: int = MIN_MATTERS,
) -> Catalogue:
    """Validate and build. ``complete``: every unit of ``directory`` must have a matter and
    there must be at least ``min_matters`` (the shipped catalogue); a directory an admin edited
    since (a new unit, a deactivated one) is read with ``complete=False``: matters of units it
    no longer lists are dropped, a new unit simply has none yet."""
    problems: list[str] = []
    matters: list[Matter] = []
    seen: set[str] = set()
    for doc in documents:
        unit = doc.get("unit") if isinstance(doc, dict) else None
        if not isinstance(unit, str):
            problems.append("a document without a unit")
            continue
        if not directory.has_department(unit):
            if complete:
                problems.append(f"{unit}: not a unit of the directory")
            continue
        raw_matters = doc.get("matters")
        if not isinstance(raw_matters, list):
            problems.append(f"{unit}: matters must be a list")
            continue
        for i, raw in enumerate(raw_matters):
            matter = _check_matter(raw, unit, f"{unit} matter #{i + 1}", problems)
            if matter is None:
                continue
            if matter.id in seen:
                problems.append(f"{matter.id}: duplicate id")
                continue
            seen.add(matter.id)
            bad = [c for c in matter.co_units if not directory.has_department(c) or c == unit]
            if bad and complete:
                problems.append(f"{matter.id}: co_units {bad} are not other units")
            if matter.scope == "town" and directory.department(unit).district_scope != "town":
                problems.append(f"{matter.id}: scope 'town' is only for the 乡镇/街道 unit")
            matters.append(matter)
    if complete:
        covered = {m.unit for m in matters}
        missing = [d.code for d in directory.departments if d.code not in covered]
        if missing:
            problems.append(f"units without matters: {', '.join(missing)}")
        if len(matters) < min_matters:
            problems.append(f"{len(matters)} matters, at least {min_matters} needed")
    if problems:
        raise CatalogueError("; ".join(problems))
    digest = hashlib.sha256(
        json.dumps([matter_document(m) for m in matters], ensure_ascii=False).encode()
    ).hexdigest()
    return Catalogue(tuple(matters), f"cat-{digest[:12]}")


def read_documents(folder: Path = CATALOGUE_DIR) -> list[dict[str, Any]]:
    docs = []
    for path in sorted(folder.glob("*.json")):
        try:
            docs.append(json.loads(path.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise CatalogueError(f"{path.name}: {exc}") from exc
    return docs


def load_catalogue(
    directory: Directory, folder: Path = CATALOGUE_DIR, *, complete: bool = True
) -> Catalogue:
    return parse_catalogue(read_documents(folder), directory, complete=complete)


def shipped_terms(folder: Path = CATALOGUE_DIR) -> list[str]:
    """The terms of the catalogue files, unvalidated: the tokenizer's dictionary is built
    before (and whatever) the validation says."""
    out: list[str] = []
    for doc in read_documents(folder):
        for m in doc.get("matters", []) if isinstance(doc, dict) else []:
            terms = m.get("terms", []) if isinstance(m, dict) else []
            out += [t for t in terms if isinstance(t, str)]
    return out
