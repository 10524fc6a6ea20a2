"""Time helpers: the DB keeps naive UTC; everything shown or sent carries +08:00."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

# China has no DST, so a fixed offset is exact and needs no tzdata on the host.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def utcnow() -> datetime:
    """Naive UTC 'now' (SQLite drops tzinfo, so we store naive UTC consistently)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def to_iso(value: datetime | None) -> str | None:
    """Naive-UTC DB value → ISO 8601 with the +08:00 offset."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(CHINA_TZ).isoformat(timespec="seconds")


def to_local_text(value: datetime | None) -> str:
    """Short local form for the console: 2025-06-12 14:03."""
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


EARLIEST, LATEST = datetime(1900, 1, 1), datetime(3000, 1, 1)  # naive UTC: no overflow


def parse_iso(text: str) -> datetime:
    """ISO 8601 (with or without offset; without = China time) → naive UTC, between 1900 and
    3000; ValueError otherwise (0001-01-01+14:00 cannot even be converted)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_TZ)
    try:
        moment = value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    except OverflowError:
        raise ValueError("out of range") from None
    if not EARLIEST <= moment < LATEST:
        raise ValueError("out of range")
    return moment


def parse_local_date_end(text: str) -> datetime:
    """A console date (YYYY-MM-DD, China time) → naive UTC at 18:00 that day (office close)."""
    day = datetime.strptime(text.strip(), "%Y-%m-%d")
    local = day.replace(hour=18, tzinfo=CHINA_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)
