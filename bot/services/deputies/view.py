"""What the chat layer may know about a deputy: a plain value, never the ORM row."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.deputies.phones import mask_phone
from storage.models import Deputy


@dataclass(frozen=True)
class DeputyView:
    """What the chat layer may know about a deputy (no ORM objects cross layers)."""

    id: int
    name: str
    level: str
    constituency: str
    station: str
    phone_masked: str
    telegram_user_id: int | None

    @classmethod
    def of(cls, deputy: Deputy) -> DeputyView:
        return cls(
            id=deputy.id,
            name=deputy.name,
            level=deputy.level,
            constituency=deputy.constituency,
            station=deputy.station,
            phone_masked=mask_phone(deputy.phone),
            telegram_user_id=deputy.telegram_user_id,
        )
