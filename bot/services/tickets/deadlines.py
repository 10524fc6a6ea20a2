"""Handling deadlines on the government's working-day calendar.

受理 within 2 working hours; 咨询/求助 within 3 working days, 投诉/举报/建议 within 13; 紧急 within
24 hours of the clock. Weekends and public holidays do not count, 调休 workdays (a Saturday or
Sunday worked to bridge a holiday) do. All configurable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.core.clock import CHINA_TIME
from storage.models import Ticket

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

    def subtract_working_hours(self, end: datetime, hours: float) -> datetime:
        """The moment `hours` of office time before `end` (for warnings ahead of a deadline)."""
        moment = end.astimezone(CHINA_TIME)
        left = timedelta(hours=hours)
        while True:
            moment = self._previous_office_moment(moment)
            opening = datetime.combine(moment.date(), DAY_START, CHINA_TIME)
            if moment - left >= opening:
                return moment - left
            left -= moment - opening
            moment = opening

    def _previous_office_moment(self, moment: datetime) -> datetime:
        day, clock = moment.date(), moment.timetz().replace(tzinfo=None)
        if self.is_workday(day) and DAY_START < clock <= DAY_END:
            return moment
        if self.is_workday(day) and clock > DAY_END:
            return datetime.combine(day, DAY_END, CHINA_TIME)
        day -= timedelta(days=1)
        while not self.is_workday(day):
            day -= timedelta(days=1)
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

    def warning_at(self, deadline: datetime, lead_hours: float, urgency: str) -> datetime:
        """When to warn ahead of `deadline`: office hours before it, clock hours for 紧急."""
        if urgency == "紧急":
            return deadline - timedelta(hours=lead_hours)
        return self.calendar.subtract_working_hours(deadline, lead_hours)


def parse_dates(raw: str | Iterable[str]) -> frozenset[date]:
    """'2026-10-01,2026-10-02' (as written in .env) → dates."""
    items = raw.split(",") if isinstance(raw, str) else raw
    return frozenset(date.fromisoformat(item.strip()) for item in items if item.strip())


# ---- the ticket's clock: 延期 pauses it, a reopen restarts it (pure: no I/O) -------------------

EXTENSION_REQUESTED = "extend"  # 延期申请 by the department: the clock stands still
EXTENSION_GRANTED = "extend_approve"  # 批准 by the 12345 centre, with the new deadline
EXTENSION_REFUSED = "extend_reject"  # 驳回: the clock runs on, later by the time it stood
EXTENSION_ACTIONS = frozenset({EXTENSION_REQUESTED, EXTENSION_GRANTED, EXTENSION_REFUSED})
# Hotline actions that end a pending 延期 request without a decision.
ENDS_EXTENSION = frozenset({"answer", "close", "return", "reroute", "reopen"})


def apply_extension(
    ticket: Ticket, action: str, at: datetime, granted_until: datetime | None
) -> bool:
    """A 延期 request pauses the clock, its decision moves the deadline; False when nothing
    changed (a second request while one is pending, a decision without a request)."""
    if action == EXTENSION_REQUESTED:
        if ticket.extension_pending:
            return False
        ticket.extension_pending = True
        ticket.extension_requested_at = at
        return True
    if not ticket.extension_pending:
        return False
    resume_clock(ticket, at)
    if action == EXTENSION_GRANTED and granted_until is not None:
        ticket.due_at = granted_until
    return True


def resume_clock(ticket: Ticket, at: datetime) -> None:
    """End a pause: the deadlines still running move on by the time the clock stood still."""
    if not ticket.extension_pending:
        return
    paused = max(at - (ticket.extension_requested_at or at), timedelta(0))
    if ticket.due_at is not None:
        ticket.due_at += paused
    if ticket.accept_due_at is not None and ticket.accepted_at is None:
        ticket.accept_due_at += paused
    ticket.extension_pending = False
    ticket.extension_requested_at = None


def restart_handling_clock(ticket: Ticket) -> None:
    """A reopened ticket is handled afresh: the deadline watch sets a new deadline from now, and
    the 复发 question may be asked again after the next closing."""
    ticket.due_at = None
    ticket.extension_pending = False
    ticket.extension_requested_at = None
    ticket.recurrence_asked_at = None
    ticket.recurrence_answer = None
