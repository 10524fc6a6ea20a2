from datetime import date, datetime

from bot.core.clock import CHINA_TIME
from bot.services.tickets.deadlines import DeadlinePolicy, WorkCalendar, parse_dates


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TIME)


# National Day 2026: 10-01..10-07 off, Sunday 09-27 and Saturday 10-10 worked (调休).
NATIONAL_DAY = WorkCalendar(
    holidays=parse_dates("2026-10-01,2026-10-02,2026-10-05,2026-10-06,2026-10-07"),
    extra_workdays=parse_dates(["2026-09-27", "2026-10-10"]),
)


def test_acceptance_counts_office_hours_only() -> None:
    calendar = WorkCalendar()
    assert calendar.add_working_hours(at("2026-11-25 10:00"), 2) == at("2026-11-25 12:00")
    # 16:30 Wednesday: one hour today, the second hour on Thursday morning.
    assert calendar.add_working_hours(at("2026-11-25 16:30"), 2) == at("2026-11-26 09:30")
    # Friday evening → Monday morning.
    assert calendar.add_working_hours(at("2026-11-27 20:00"), 2) == at("2026-11-30 10:30")


def test_working_days_skip_a_configured_holiday_and_count_a_makeup_workday() -> None:
    # Filed Wednesday 09-30: 10-01..10-07 are off except the weekend days 10-03/04 (also off);
    # 10-08 (Thu), 10-09 (Fri), 10-10 (Sat, 调休) are the first three working days.
    assert NATIONAL_DAY.add_working_days(at("2026-09-30 15:00"), 3) == at("2026-10-10 17:30")
    assert NATIONAL_DAY.is_workday(date(2026, 9, 27))  # a Sunday worked
    assert not NATIONAL_DAY.is_workday(date(2026, 10, 1))


def test_policy_by_appeal_type_and_urgency() -> None:
    policy = DeadlinePolicy()
    filed = at("2026-11-25 10:00")  # Wednesday
    assert policy.handle_due(filed, "咨询", "一般") == at("2026-11-30 17:30")  # Thu, Fri, Mon
    assert policy.handle_due(filed, "投诉", "一般") == at("2026-12-14 17:30")
    assert policy.handle_due(filed, "投诉", "紧急") == at("2026-11-26 10:00")
    assert policy.accept_due(filed) == at("2026-11-25 12:00")
