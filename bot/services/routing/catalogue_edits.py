"""Admin edits of the 派单目录: the effective catalogue is the shipped JSON (the seed) with the
newest saved version of each edited matter laid over it. A save is validated with the start-up
rules over the whole effective catalogue first; a bad edit is refused and nothing is stored."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot.core.refusal import Refusal
from classifiers import Directory
from classifiers.catalogue import CatalogueError, matter_document, parse_catalogue
from storage.models import CatalogueMatterVersion
from storage.uow import UnitOfWork


class CatalogueProblem(StrEnum):
    INVALID = "catalogue_invalid"  # details: problems (the validator's words)
    NO_CHANGES = "catalogue_no_changes"


class CatalogueEditError(Refusal):
    """The catalogue edit was refused; nothing was changed."""


def effective_documents(
    seed: list[dict[str, Any]], newest: list[CatalogueMatterVersion]
) -> list[dict[str, Any]]:
    """Seed documents with edits applied: replaced, added, or (document None) dropped."""
    edits = {row.matter_id: row for row in newest}
    out: list[dict[str, Any]] = []
    units: dict[str, list[dict[str, Any]]] = {}
    for doc in seed:
        matters = []
        for m in doc.get("matters", []):
            row = edits.pop(str(m.get("id")), None) if isinstance(m, dict) else None
            if row is None:
                matters.append(m)
            elif row.document is not None:
                matters.append(row.document)
        units[doc["unit"]] = matters
        out.append({"unit": doc["unit"], "matters": matters})
    for row in sorted(edits.values(), key=lambda r: r.matter_id):
        if row.document is None:
            continue
        if row.unit not in units:
            units[row.unit] = []
            out.append({"unit": row.unit, "matters": units[row.unit]})
        units[row.unit].append(row.document)
    return out


class CatalogueEditService:
    def __init__(self, uow: UnitOfWork, seed: list[dict[str, Any]], directory: Directory) -> None:
        self._uow = uow
        self._seed = seed
        self._directory = directory

    async def documents(self) -> list[dict[str, Any]]:
        return effective_documents(self._seed, await self._uow.catalogue.newest())

    async def save_matter(
        self, unit: str, matter: dict[str, Any] | None, *, matter_id: str, actor: str
    ) -> list[dict[str, Any]]:
        """Stores ``matter`` (None: disable it) as the matter's next version, audited; returns
        the effective documents to hand to the running router's ``reload_catalogue``."""
        newest = await self._uow.catalogue.newest()
        current = effective_documents(self._seed, newest)
        version = max((r.version for r in newest if r.matter_id == matter_id), default=0) + 1
        row = CatalogueMatterVersion(
            matter_id=matter_id, unit=unit, version=version, document=matter, edited_by=actor
        )
        wanted = effective_documents(
            self._seed, [r for r in newest if r.matter_id != matter_id] + [row]
        )
        try:
            parsed = parse_catalogue(wanted, self._directory, complete=False)
        except CatalogueError as exc:
            raise CatalogueEditError(CatalogueProblem.INVALID, problems=str(exc)) from exc
        if wanted == current:
            raise CatalogueEditError(CatalogueProblem.NO_CHANGES)
        normalised = parsed.matter(matter_id)
        if normalised is not None:
            row.document = matter_document(normalised)
        self._uow.catalogue.add(row)
        before = next((m for d in current for m in d["matters"] if m.get("id") == matter_id), None)
        self._uow.audit.record(
            actor,
            "catalogue.update",
            entity="matter",
            entity_id=matter_id,
            before={"matter": before, "version": version - 1},
            after={"matter": row.document, "version": version, "id": matter_id},
        )
        await self._uow.commit()
        return wanted
