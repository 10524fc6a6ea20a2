"""The five-level deputy registry (五级人大代表信息库)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class DeputyLevel(StrEnum):
    """Stored as the Chinese label itself: it is what the registry files and admins use."""

    NATIONAL = "全国"
    PROVINCIAL = "省"
    MUNICIPAL = "市"
    COUNTY = "县"
    TOWNSHIP = "乡"


class Deputy(Base):
    __tablename__ = "deputies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    # Normalised mainland mobile number, 11 digits: the key the registry and verification share.
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    level: Mapped[str] = mapped_column(String(8))
    constituency: Mapped[str] = mapped_column(String(128), default="")  # 选区 / 代表团
    station: Mapped[str] = mapped_column(String(128), default="")  # 代表联络站
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    bound_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
