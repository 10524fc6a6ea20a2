"""The deputy registry (五级人大代表信息库): validated, all-or-nothing, idempotent imports."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bot.services.deputies.phones import InvalidPhoneError, normalize_phone
from bot.services.deputies.registry_files import (
    RegistryFileError,
    RowProblem,
    map_header,
    read_rows,
    write_rows,
)
from bot.services.routing.directory_sync import sync_directory
from classifiers import load_directory
from storage.models import Deputy, DeputyLevel, District
from storage.uow import UnitOfWork

# Called with (rows done, rows in all) while a long import is written.
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 1000

MAX_NAME = 64
MAX_PLACE = 128

# Spellings seen in real registries, reduced to the five levels.
_LEVEL_WORDS = {
    "全国": DeputyLevel.NATIONAL,
    "省": DeputyLevel.PROVINCIAL,
    "市": DeputyLevel.MUNICIPAL,
    "州": DeputyLevel.MUNICIPAL,
    "县": DeputyLevel.COUNTY,
    "区": DeputyLevel.COUNTY,
    "县区": DeputyLevel.COUNTY,
    "县市区": DeputyLevel.COUNTY,
    "乡": DeputyLevel.TOWNSHIP,
    "镇": DeputyLevel.TOWNSHIP,
    "乡镇": DeputyLevel.TOWNSHIP,
}


@dataclass(frozen=True)
class RegistryEntry:
    name: str
    phone: str
    level: str
    constituency: str
    station: str


@dataclass(frozen=True)
class RowError:
    """Line `line` (0: the file as a whole) refused for `problem`."""

    line: int
    problem: RowProblem
    details: dict[str, object] = field(default_factory=dict)


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_level(raw: str) -> str | None:
    word = raw.strip().removesuffix("人大代表").removesuffix("人大").removesuffix("级")
    for noise in ("（", "）", "(", ")", "、", "/"):
        word = word.replace(noise, "")
    level = _LEVEL_WORDS.get(word)
    return level.value if level else None


def parse_registry(path: Path) -> tuple[list[RegistryEntry], list[RowError]]:
    """Every row checked; errors name the line (the header is line 1) and the reason."""
    try:
        header, rows = read_rows(path)
        positions = map_header(header)
    except RegistryFileError as error:
        return [], [RowError(error.line, error.problem, error.details)]
    entries: list[RegistryEntry] = []
    errors: list[RowError] = []
    first_line_of_phone: dict[str, int] = {}
    try:
        for line, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are common at the end of spreadsheets
            entry, refused = _parse_row(line, cells, positions)
            if entry and entry.phone in first_line_of_phone:
                first_line = first_line_of_phone[entry.phone]
                refused = RowError(line, RowProblem.PHONE_DUPLICATE, {"first_line": first_line})
            if refused is not None or entry is None:
                errors += [refused] if refused else []
                continue
            first_line_of_phone[entry.phone] = line
            entries.append(entry)
    except RegistryFileError as error:
        return [], [RowError(error.line, error.problem, error.details)]
    return entries, errors


def _parse_row(
    line: int, cells: list[str], positions: dict[str, int]
) -> tuple[RegistryEntry | None, RowError | None]:
    def cell(key: str) -> str:
        index = positions[key]
        return cells[index].strip() if index < len(cells) else ""

    def refused(problem: RowProblem, **details: object) -> tuple[None, RowError]:
        return None, RowError(line, problem, details)

    name, phone_raw, level_raw = cell("name"), cell("phone"), cell("level")
    if not name:
        return refused(RowProblem.NAME_EMPTY)
    if len(name) > MAX_NAME:
        return refused(RowProblem.NAME_TOO_LONG, limit=MAX_NAME)
    if not phone_raw:
        return refused(RowProblem.PHONE_EMPTY)
    try:
        phone = normalize_phone(phone_raw)
    except InvalidPhoneError:
        return refused(RowProblem.PHONE_INVALID, value=phone_raw)
    level = parse_level(level_raw)
    if level is None:
        return refused(RowProblem.LEVEL_INVALID, value=level_raw)
    constituency, station = cell("constituency"), cell("station")
    if len(constituency) > MAX_PLACE or len(station) > MAX_PLACE:
        return refused(RowProblem.PLACE_TOO_LONG, limit=MAX_PLACE)
    return RegistryEntry(name, phone, level, constituency, station), None


class RegistryService:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def import_file(
        self,
        path: Path,
        *,
        actor: str,
        source: str | None = None,
        progress: Progress | None = None,
    ) -> ImportResult:
        """`source`: the name the audit log gives the file (an upload's own name)."""
        entries, errors = await asyncio.to_thread(parse_registry, path)
        if errors:
            return ImportResult(errors=errors)  # one bad row: nothing is imported
        return await self.import_entries(
            entries, actor=actor, source=source or path.name, progress=progress
        )

    async def import_entries(
        self,
        entries: list[RegistryEntry],
        *,
        actor: str,
        source: str,
        progress: Progress | None = None,
    ) -> ImportResult:
        result = ImportResult()
        existing = await self._uow.deputies.by_phones([entry.phone for entry in entries])
        districts = await self._districts()
        for done, entry in enumerate(entries, start=1):
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(entries)):
                progress(done, len(entries))
            district_id = _district_of(entry, districts)
            deputy = existing.get(entry.phone)
            if deputy is None:
                self._uow.deputies.add(
                    Deputy(
                        name=entry.name,
                        phone=entry.phone,
                        level=entry.level,
                        constituency=entry.constituency,
                        station=entry.station,
                        district_id=district_id,
                    )
                )
                result.created += 1
            elif _apply(deputy, entry, district_id):
                result.updated += 1
            else:
                result.unchanged += 1
        if result.created or result.updated:
            self._uow.audit.record(
                actor,
                "registry.import",
                entity="deputy",
                after={"file": source, "created": result.created, "updated": result.updated},
            )
            await self._uow.commit()
        return result

    async def _districts(self) -> dict[str, District]:
        """The database's districts; a registry loaded before the bot ever started (the demo,
        a fresh deployment) seeds them from the shipped directory first."""
        districts = await self._uow.directory.districts_by_name()
        if not districts:
            await sync_directory(self._uow, load_directory())
            districts = await self._uow.directory.districts_by_name()
        return districts

    async def export_file(self, path: Path) -> int:
        deputies = await self._uow.deputies.all()
        names = {d.id: d.name for d in (await self._uow.directory.districts_by_name()).values()}
        rows = [
            (
                deputy.name,
                deputy.phone,
                deputy.level,
                deputy.constituency,
                deputy.station,
                names.get(deputy.district_id or 0, ""),
                "在册" if deputy.active else "停用",
                "已绑定" if deputy.telegram_user_id else "未绑定",
            )
            for deputy in deputies
        ]
        await asyncio.to_thread(write_rows, path, rows)
        return len(rows)


def _apply(deputy: Deputy, entry: RegistryEntry, district_id: int | None) -> bool:
    """Copy the entry's fields onto the deputy; True when anything changed."""
    wanted = {
        "name": entry.name,
        "level": entry.level,
        "constituency": entry.constituency,
        "station": entry.station,
        "district_id": district_id if district_id is not None else deputy.district_id,
        "active": True,
    }
    changed = False
    for attribute, value in wanted.items():
        if getattr(deputy, attribute) != value:
            setattr(deputy, attribute, value)
            changed = True
    return changed


def _district_of(entry: RegistryEntry, districts: dict[str, District]) -> int | None:
    """The district the 选区 (else the 联络站) names: by its name, a short name, or one of its
    towns (大禾塘街道 is in 邵东市); the longest name found wins."""
    for place in (entry.constituency, entry.station):
        found = [(len(n), d) for n, d in _place_names(tuple(districts)).items() if n in place]
        if found:
            return districts[max(found)[1]].id
    return None


@cache
def _place_names(known: tuple[str, ...]) -> dict[str, str]:
    """Place name → district name, for the districts the database knows."""
    names: dict[str, str] = {}
    for info in load_directory().districts:
        if info.name not in known:
            continue
        for town in info.towns:
            names.setdefault(town, info.name)
        for alias in info.aliases:  # 隆回代表团, 城步县第一选区
            if len(alias) >= 2:
                names.setdefault(alias, info.name)
        names[info.name] = info.name
    for name in known:
        names.setdefault(name, name)
    return names
