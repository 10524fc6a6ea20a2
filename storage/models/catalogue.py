"""Admin edits of the 派单目录 (dispatch catalogue): the shipped JSON files are the seed, each
saved edit of a matter is a new row (a version) with who and when; the newest row per matter
wins. ``document`` None means the matter was disabled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class CatalogueMatterVersion(Base):
    __tablename__ = "catalogue_matter_versions"
    __table_args__ = (UniqueConstraint("matter_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[str] = mapped_column(String(32), index=True)
    unit: Mapped[str] = mapped_column(String(32))
    version: Mapped[int]
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    edited_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
