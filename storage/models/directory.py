"""Where reports go: departments (承办单位) and districts (区县) of the reference city."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class District(Base):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    # Towns and streets (乡镇/街道) of the district, as listed in the directory.
    towns: Mapped[list[str]] = mapped_column(JSON, default=list)


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    duty: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32), default="")  # first-level category
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # None: the whole city; otherwise the one district this unit serves.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)  # bumped on every admin edit
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
