"""The department directory (承办单位) as admins keep it: names, aliases, keywords and duties.

Every edit bumps the department's version, keeps a `DepartmentVersion` snapshot of each
version (the one before the first edit included) and writes the audit log, before → after."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.core.refusal import Refusal
from storage.models import Department, DepartmentVersion
from storage.uow import UnitOfWork

CODE_PATTERN = re.compile(r"[A-Z0-9_]{1,32}")
# Who wrote a version that came from the shipped directory files (the console says 目录导入).
SEEDED_BY = "system"
MAX_NAME = 128
MAX_CATEGORY = 32
MAX_DUTY = 4000
MAX_TERM = 64  # one alias or keyword
MAX_TERMS = 300
EDITABLE = ("name", "aliases", "keywords", "duty", "category", "active")


class DepartmentProblem(StrEnum):
    NOT_FOUND = "not_found"
    EDITED_MEANWHILE = "edited_meanwhile"  # details: version (the one now saved)
    NO_CHANGES = "no_changes"
    CODE_INVALID = "code_invalid"
    CODE_TAKEN = "code_taken"  # details: code
    NAME_EMPTY = "name_empty"
    TOO_LONG = "too_long"  # details: field (see LIMITS), length


class DepartmentError(Refusal):
    """The edit was refused (a DepartmentProblem); nothing was changed."""


class DepartmentConflict(DepartmentError):
    """Someone saved a newer version since the person's form was filled."""


@dataclass(frozen=True)
class DepartmentFields:
    """What an admin may set on a department."""

    name: str
    aliases: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    duty: str = ""
    category: str = ""
    active: bool = True


@dataclass(frozen=True)
class DepartmentView:
    id: int
    code: str
    fields: DepartmentFields
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class VersionView:
    version: int
    fields: DepartmentFields
    edited_by: str
    created_at: datetime
    changed: list[str]  # the fields that differ from the version before


class DepartmentService:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def directory(self) -> list[DepartmentView]:
        return [_view(d) for d in await self._uow.directory.all_departments()]

    async def get(self, department_id: int) -> DepartmentView | None:
        department = await self._uow.directory.department_by_id(department_id)
        return _view(department) if department else None

    async def update(
        self,
        department_id: int,
        wanted: DepartmentFields,
        *,
        actor: str,
        edited_version: int | None = None,
    ) -> int:
        """Saves the edit as a new version; returns its number. `edited_version`: the version
        the person's form was filled from; a newer one saved since refuses the edit (its form
        would silently undo the other person's changes)."""
        department = await self._uow.directory.department_by_id(department_id)
        if department is None:
            raise DepartmentError(DepartmentProblem.NOT_FOUND)
        if edited_version is not None and edited_version != department.version:
            raise DepartmentConflict(
                DepartmentProblem.EDITED_MEANWHILE, version=department.version
            )
        _check(wanted)
        before = _fields(department)
        changed = _changed(before, wanted)
        if not changed:
            raise DepartmentError(DepartmentProblem.NO_CHANGES)
        if not await self._uow.directory.claim_department(department.id, department.version):
            # Another save landed between reading and writing: its version is newer still.
            raise DepartmentConflict(
                DepartmentProblem.EDITED_MEANWHILE, version=department.version + 1
            )
        # Departments seeded from the directory files have no snapshot of their first version:
        # it is kept now, dated when it was loaded (its last write), not at this edit.
        if not await self._uow.console.has_department_version(department.id, department.version):
            self._uow.console.add(_snapshot(department, SEEDED_BY, at=department.updated_at))
        for name in changed:
            setattr(department, name, getattr(wanted, name))
        department.version += 1
        self._uow.console.add(_snapshot(department, actor))
        self._uow.audit.record(
            actor,
            "department.update",
            entity="department",
            entity_id=department.id,
            before={name: getattr(before, name) for name in changed}
            | {"version": department.version - 1},
            after={name: getattr(wanted, name) for name in changed}
            | {"version": department.version},
        )
        await self._uow.commit()
        return department.version

    async def create(self, code: str, wanted: DepartmentFields, *, actor: str) -> DepartmentView:
        code = code.strip().upper()
        if not CODE_PATTERN.fullmatch(code):
            raise DepartmentError(DepartmentProblem.CODE_INVALID)
        if await self._uow.directory.department(code) is not None:
            raise DepartmentError(DepartmentProblem.CODE_TAKEN, code=code)
        _check(wanted)
        department = Department(
            code=code,
            name=wanted.name,
            aliases=list(wanted.aliases),
            keywords=list(wanted.keywords),
            duty=wanted.duty,
            category=wanted.category,
            active=wanted.active,
            version=1,
        )
        self._uow.directory.add(department)
        await self._uow.session.flush()
        self._uow.console.add(_snapshot(department, actor))
        self._uow.audit.record(
            actor,
            "department.create",
            entity="department",
            entity_id=department.id,
            after={"code": code, **_as_dict(wanted), "version": 1},
        )
        await self._uow.commit()
        return _view(department)

    async def versions(self, department_id: int) -> list[VersionView]:
        """Newest first, each with the fields it changed."""
        rows = await self._uow.console.department_versions(department_id)
        views = []
        for index, row in enumerate(rows):
            fields = _fields(row)
            older = _fields(rows[index + 1]) if index + 1 < len(rows) else None
            changed = _changed(older, fields) if older else []
            views.append(VersionView(row.version, fields, row.edited_by, row.created_at, changed))
        return views


def _check(wanted: DepartmentFields) -> None:
    if not wanted.name.strip():
        raise DepartmentError(DepartmentProblem.NAME_EMPTY)
    limits = [
        ("name", len(wanted.name), MAX_NAME),
        ("category", len(wanted.category), MAX_CATEGORY),
        ("duty", len(wanted.duty), MAX_DUTY),
        ("alias_count", len(wanted.aliases), MAX_TERMS),
        ("keyword_count", len(wanted.keywords), MAX_TERMS),
        ("alias", max(map(len, wanted.aliases), default=0), MAX_TERM),
        ("keyword", max(map(len, wanted.keywords), default=0), MAX_TERM),
    ]
    for field_name, size, limit in limits:
        if size > limit:
            raise DepartmentError(DepartmentProblem.TOO_LONG, field=field_name, length=limit)


def _fields(row: Department | DepartmentVersion) -> DepartmentFields:
    """The editable fields of a department, or of one of its stored versions (same columns)."""
    return DepartmentFields(
        name=row.name,
        aliases=list(row.aliases or []),
        keywords=list(row.keywords or []),
        duty=row.duty or "",
        category=row.category or "",
        active=row.active,
    )


def _as_dict(fields: DepartmentFields) -> dict[str, object]:
    return {name: getattr(fields, name) for name in EDITABLE}


def _changed(old: DepartmentFields, new: DepartmentFields) -> list[str]:
    """The editable fields that differ, in EDITABLE order."""
    return [name for name in EDITABLE if getattr(old, name) != getattr(new, name)]


def _snapshot(department: Department, actor: str, at: datetime | None = None) -> DepartmentVersion:
    return DepartmentVersion(
        department_id=department.id,
        version=department.version,
        **_as_dict(_fields(department)),
        edited_by=actor,
        **({"created_at": at} if at is not None else {}),
    )


def _view(department: Department) -> DepartmentView:
    return DepartmentView(
        id=department.id,
        code=department.code,
        fields=_fields(department),
        version=department.version,
        updated_at=department.updated_at,
    )
