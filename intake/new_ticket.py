"""A ticket as the JSON API and the Open311 facade hand it to the store, checked already."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from intake.photos import PhotoIn


@dataclass
class NewTicket:
    idempotency_key: str
    department_code: str
    summary: str
    text: str
    source: str = "api"
    report_number: str | None = None
    appeal_type: str | None = None
    urgency: str | None = None
    district: str | None = None
    town: str | None = None
    address: str | None = None
    lat: float | None = None
    long: float | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    reporter_level: str | None = None
    reporter_station: str | None = None
    reporter_email: str | None = None
    photos: list[PhotoIn] = field(default_factory=list)
    media_urls: list[str] = field(default_factory=list)
    submitted_at: datetime | None = None
    routing: dict[str, object] | None = None  # the sender's routing suggestion (validated)
