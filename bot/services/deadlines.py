"""Handling deadlines on the government's working-day calendar.

受理 within 2 working hours; 咨询/求助 within 3 working days, 投诉/举报/建议 within 13; 紧急 within
24 hours of the clock. Weekends and public holidays do not count, 调休 workdays (a Saturday or
Sunday worked to bridge a holiday) do. All configurable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.services.reports import CHINA_TIME

DAY_START = time(8, 30)
DAY_END = time(17, 30)


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()  # 调休: weekend days that are worked

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """`hours` of office time (08:30–17:30, working days only) after `start`."""
        moment = start.astimezone(CHINA_TIME)
        left = timedelta(hours=hours)
        while True:
            moment = self._next_office_moment(moment)
            closing = datetime.combine(moment.date(), DAY_END, CHINA_TIME)
            if moment + left <= closing:
                return moment + left
            left -= closing - moment
            moment = closing

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The close of office on the `days`-th working day after the day of `start`."""
        day = start.astimezone(CHINA_TIME).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            counted += self.is_workday(day)
        return datetime.combine(day, DAY_END, CHINA_TIME)

    def _next_office_moment(self, moment: datetime) -> datetime:
        day, clock = moment.date(), moment.timetz().replace(tzinfo=None)
        if self.is_workday(day) and DAY_START <= clock < DAY_END:
            return moment
        if self.is_workday(day) and clock < DAY_START:
            return datetime.combine(day, DAY_START, CHINA_TIME)
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return datetime.combine(day, DAY_START, CHINA_TIME)


@dataclass(frozen=True)
class DeadlinePolicy:
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    accept_hours: float = 2
    urgent_hours: float = 24
    days_by_appeal_type: dict[str, int] = field(
        default_factory=lambda: {"咨询": 3, "求助": 3, "投诉": 13, "举报": 13, "建议": 13}
    )

    def accept_due(self, submitted_at: datetime) -> datetime:
        return self.calendar.add_working_hours(submitted_at, self.accept_hours)

    def handle_due(self, submitted_at: datetime, appeal_type: str, urgency: str) -> datetime:
        if urgency == "紧急":
            return submitted_at + timedelta(hours=self.urgent_hours)
        days = self.days_by_appeal_type.get(appeal_type, max(self.days_by_appeal_type.values()))
        return self.calendar.add_working_days(submitted_at, days)


def parse_dates(raw: str | Iterable[str]) -> frozenset[date]:
    """'2026-10-01,2026-10-02' (as written in .env) → dates."""
    items = raw.split(",") if isinstance(raw, str) else raw
    return frozenset(date.fromisoformat(item.strip()) for item in items if item.strip())
