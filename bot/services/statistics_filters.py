"""The statistics pages' filters: parsed from query parameters, with Chinese messages on bad
input (the page then shows the message and the unfiltered form, never a 500)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.texts import statistics as texts


class FilterError(ValueError):
    """Bad filter input; `str(error)` is the Chinese message for the admin."""


@dataclass(frozen=True)
class StatsFilter:
    start: date | None = None  # first day, China time, inclusive
    end: date | None = None  # last day, China time, inclusive
    district_id: int | None = None
    department_id: int | None = None

    def query(self) -> dict[str, str]:
        """The same filter as query parameters (for export links and chart pages)."""
        params = {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "district": str(self.district_id or ""),
            "department": str(self.department_id or ""),
        }
        return {key: value for key, value in params.items() if value}


def parse_filter(params: Mapping[str, str]) -> StatsFilter:
    start = _date(params.get("start", ""))
    end = _date(params.get("end", ""))
    if start and end and start > end:
        raise FilterError(texts.FILTER_BAD_RANGE)
    return StatsFilter(
        start=start,
        end=end,
        district_id=_id(params.get("district", ""), texts.FILTER_DISTRICT),
        department_id=_id(params.get("department", ""), texts.FILTER_DEPARTMENT),
    )


def _date(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(texts.FILTER_BAD_DATE.format(value=raw[:40])) from None


def _id(raw: str, field: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise FilterError(texts.FILTER_BAD_ID.format(field=field, value=raw[:40]))
    return int(raw)


def months_between(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from `first` to `last`, inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
