"""Conversation state (aiogram FSM) kept in the database so drafts survive a restart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, utcnow


class FsmRecord(Base):
    __tablename__ = "fsm_records"

    # aiogram's StorageKey rendered as one string (bot:chat:user[:thread][:destiny]).
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
