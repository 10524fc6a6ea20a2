"""A report being written in chat: plain data that survives in the FSM storage (JSON)."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.text_input import clean, is_blank, meaningful_length

MIN_TEXT = 10  # meaningful characters (bot/core/text_input.py): emoji and spaces do not count
MAX_TEXT = 2000
MAX_PHOTOS = 9
MAX_ADDRESS = 200


class PartOutcome(StrEnum):
    ADDED = "added"
    EMPTY = "empty"  # whitespace, punctuation or emoji only: nothing to read
    TOO_LONG = "too_long"  # would pass MAX_TEXT: nothing kept


@dataclass
class DraftPhoto:
    file_id: str
    file_unique_id: str


@dataclass
class Draft:
    id: str = field(default_factory=lambda: secrets.token_hex(4))
    parts: list[str] = field(default_factory=list)
    photos: list[DraftPhoto] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    appeal_type: str | None = None
    department_code: str | None = None  # set when the deputy picked another department
    emergency_seen: bool = False
    # The routing analysis of this text and place (bot/services/reporting/analysis.py).
    analysis: dict[str, Any] | None = None
    analysed: str = ""  # the fingerprint it was computed for

    @property
    def text(self) -> str:
        return "\n".join(self.parts).strip()

    @property
    def length(self) -> int:
        return len(self.text)

    @property
    def meaningful(self) -> int:
        """What the minimum counts: letters and digits (汉字 included), never emoji."""
        return meaningful_length(self.text)

    @property
    def long_enough(self) -> bool:
        return self.meaningful >= MIN_TEXT

    @property
    def location(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    def add_part(self, text: str) -> PartOutcome:
        """Appends a message; nothing is kept when it has no words or would pass MAX_TEXT."""
        text = clean(text)
        if is_blank(text):
            return PartOutcome.EMPTY
        if len("\n".join([*self.parts, text])) > MAX_TEXT:
            return PartOutcome.TOO_LONG
        self.parts.append(text)
        return PartOutcome.ADDED

    def add_photo(self, photo: DraftPhoto) -> bool:
        """False when the draft already holds MAX_PHOTOS; a photo sent twice is kept once."""
        if any(p.file_unique_id == photo.file_unique_id for p in self.photos):
            return True
        if len(self.photos) >= MAX_PHOTOS:
            return False
        self.photos.append(photo)
        return True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        values = dict(data)
        values["photos"] = [DraftPhoto(**photo) for photo in values.get("photos", [])]
        return cls(**values)
