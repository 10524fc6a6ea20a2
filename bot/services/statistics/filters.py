"""The statistics pages' filters: parsed from query parameters; bad input is refused with a
FilterProblem (the page then shows it in words and the unfiltered form, never a 500)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.core.clock import CHINA_TIME
from bot.core.refusal import Refusal

CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")  # a department's or district's directory code
FIRST_YEAR, LAST_YEAR = 2000, 2100


class FilterProblem(StrEnum):
    BAD_DATE = "bad_date"  # details: value
    BAD_RANGE = "bad_range"
    BAD_YEAR = "bad_year"  # details: first, last
    BAD_CODE = "bad_code"  # details: field ("department" / "district"), value
    BAD_PERIOD = "bad_period"
    UNKNOWN = "unknown"  # details: field


class FilterError(Refusal):
    """Bad filter input (a FilterProblem)."""


@dataclass(frozen=True)
class StatsFilter:
    """What the admin asked for; department and district by their directory codes (as on the
    classification log's filters), resolved to ids by the service."""

    start: date | None = None  # first day, China time, inclusive
    end: date | None = None  # last day, China time, inclusive
    department: str | None = None
    district: str | None = None

    def query(self) -> dict[str, str]:
        """The same filter as query parameters (for export links)."""
        params = {
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "department": self.department or "",
            "district": self.district or "",
        }
        return {key: value for key, value in params.items() if value}


def utc_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """China-time calendar days [start, end] → a half-open interval of aware datetimes."""
    return (
        _china_midnight(start) if start else None,
        _china_midnight(end + timedelta(days=1)) if end else None,
    )


def _china_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TIME)


def parse_filter(params: Mapping[str, str]) -> StatsFilter:
    start, end = _dates(params)
    return StatsFilter(
        start=start,
        end=end,
        department=_code(params.get("department", ""), "department"),
        district=_code(params.get("district", ""), "district"),
    )


def _dates(params: Mapping[str, str]) -> tuple[date | None, date | None]:
    start = _date(params.get("from", ""))
    end = _date(params.get("to", ""))
    if start and end and start > end:
        raise FilterError(FilterProblem.BAD_RANGE)
    return start, end


def _date(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise FilterError(FilterProblem.BAD_DATE, value=raw[:40]) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # also keeps day + 1 from overflowing
        raise FilterError(FilterProblem.BAD_YEAR, first=FIRST_YEAR, last=LAST_YEAR)
    return day


def _code(raw: str, field: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    if not CODE.fullmatch(raw):
        raise FilterError(FilterProblem.BAD_CODE, field=field, value=raw[:40])
    return raw


PERIODS = ("month", "week")


@dataclass(frozen=True)
class QualityFilter:
    """The routing-quality page: a date range and the period its trend is counted by."""

    start: date | None = None
    end: date | None = None
    period: str = "month"  # or "week"

    def query(self) -> dict[str, str]:
        params = {
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "period": self.period if self.period != "month" else "",
        }
        return {key: value for key, value in params.items() if value}


def parse_quality_filter(params: Mapping[str, str]) -> QualityFilter:
    start, end = _dates(params)
    period = params.get("period", "").strip() or "month"
    if period not in PERIODS:
        raise FilterError(FilterProblem.BAD_PERIOD)
    return QualityFilter(start, end, period)


def weeks_between(first: str, last: str) -> list[str]:
    """Every Monday 'YYYY-MM-DD' from the Monday `first` to `last`, inclusive."""
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    weeks = []
    while day <= end:
        weeks.append(day.isoformat())
        day = date.fromordinal(day.toordinal() + 7)
    return weeks


def months_between(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from `first` to `last`, inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
