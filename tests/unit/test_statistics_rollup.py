"""The 三率 month roll-up gives exactly the figures a direct count gives, after tickets, ratings
and reports change and as deadlines pass (SQLite, and PostgreSQL when reachable)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from benchmarks.statistics_seed import SeedPlan, seed_statistics
from bot.config import Settings
from bot.services.statistics import rollup as statistics_rollup
from bot.services.statistics.filters import StatsFilter
from bot.services.statistics.rollup import TicketRollup, split_period
from bot.services.statistics.three_rates import RateRow, RatesReport, StatisticsService
from bot.web import WebServer
from console import add_routes
from console.stats_cache import rollup_of
from storage.base import utcnow
from storage.bootstrap import open_database
from storage.models import Rating, Report, Ticket
from storage.uow import UnitOfWorkFactory
from tests.doubles import RecordingNotifier
from tests.e2e.conftest import until


@pytest.fixture
async def seeded(sqlite_or_postgres_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    url = sqlite_or_postgres_url
    engine, uow_factory = await open_database(url)
    # A year up to ten minutes ago: nothing seeded is a recent write.
    plan = SeedPlan(tickets=300, deputies=40, now=utcnow() - timedelta(minutes=10))
    await seed_statistics(engine, plan)
    yield uow_factory
    await engine.dispose()


async def _both(
    uow_factory: UnitOfWorkFactory, rollup: TicketRollup, flt: StatsFilter, now: datetime
) -> RatesReport:
    """The rolled-up report, checked against a direct count at the same moment."""
    async with uow_factory() as uow:
        rolled = await StatisticsService(uow, rollup).rates(flt, now=now)
    async with uow_factory() as uow:
        direct = await StatisticsService(uow).rates(flt, now=now)
    for table in ("by_month", "by_department", "by_district"):
        assert _rounded(getattr(rolled, table)) == _rounded(getattr(direct, table)), table
    assert _rounded([rolled.total]) == _rounded([direct.total])
    return rolled


def _rounded(rows: list[RateRow]) -> list[RateRow]:
    """Sums of seconds added in another order differ in the last bits."""
    hours = [
        None if r.avg_handling_hours is None else round(r.avg_handling_hours, 6) for r in rows
    ]
    return [replace(row, avg_handling_hours=h) for row, h in zip(rows, hours, strict=True)]


def _month_row(report: RatesReport, month: str) -> tuple[int, int, int]:
    [row] = [r for r in report.by_month if r.key == month]
    return row.resolution.hits, row.satisfaction.total, row.tickets


async def test_the_rollup_follows_writes_to_old_months(seeded: UnitOfWorkFactory) -> None:
    rollup = TicketRollup()
    before = await _both(seeded, rollup, StatsFilter(), utcnow())
    async with seeded() as uow:
        tickets = list(await uow.session.scalars(select(Ticket).order_by(Ticket.id)))
        open_one = next(t for t in tickets if t.status == "办理中")
        open_one.status, open_one.answered_at = "已办结", utcnow()
        open_one.closed_at = utcnow()
        answered = next(t for t in tickets if t.answered_at is not None and t.id > open_one.id)
        report = await uow.session.get(Report, answered.report_id)
        assert report is not None
        uow.session.add(
            Rating(report_id=report.id, deputy_id=report.deputy_id, score="不满意", round=9)
        )
        moved = await uow.session.get(Report, tickets[-1].report_id)
        assert moved is not None
        moved.district_id = 1 if moved.district_id != 1 else 2
        await uow.commit()
    after = await _both(seeded, rollup, StatsFilter(), utcnow())
    month = before.by_month[0].key  # the oldest month: written to long after it was counted
    assert _month_row(after, month) != _month_row(before, month) or after.total != before.total
    # A period with partial months at both ends, one department: counted from both sources.
    first, last = date.fromisoformat(f"{month}-15"), utcnow().date() - timedelta(days=40)
    await _both(seeded, rollup, StatsFilter(start=first, end=last, department="B01"), utcnow())


async def test_rows_imported_with_old_timestamps_are_counted(seeded: UnitOfWorkFactory) -> None:
    """A ticket and a rating loaded later but stamped long ago: found by their new ids."""
    rollup = TicketRollup()
    before = await _both(seeded, rollup, StatsFilter(), utcnow())
    long_ago = utcnow() - timedelta(days=200)
    async with seeded() as uow:
        deputy = (await uow.session.scalars(select(Report.deputy_id).limit(1))).one()
        report = Report(number="SY-OLD", deputy_id=deputy, text="旧数据导入", created_at=long_ago)
        report.updated_at = long_ago
        uow.session.add(report)
        await uow.session.flush()
        ticket = Ticket(
            report_id=report.id,
            adapter="http",
            status="已办结",
            created_at=long_ago,
            answered_at=long_ago,
            closed_at=long_ago,
            updated_at=long_ago,
        )
        uow.session.add(ticket)
        uow.session.add(
            Rating(report_id=report.id, deputy_id=deputy, score="满意", created_at=long_ago)
        )
        await uow.commit()
    after = await _both(seeded, rollup, StatsFilter(), utcnow())
    assert after.total.tickets == before.total.tickets + 1


async def test_a_passing_deadline_changes_the_figures_without_a_write(
    seeded: UnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No margin: only the deadline can make the roll-up count this month again.
    monkeypatch.setattr(statistics_rollup, "SAFETY_MARGIN", timedelta(0))
    start = utcnow()
    async with seeded() as uow:
        deputy = (await uow.session.scalars(select(Report.deputy_id).limit(1))).one()
        report = Report(number="SY-DUE", deputy_id=deputy, text="路灯坏了", status="已受理")
        uow.session.add(report)
        await uow.session.flush()
        uow.session.add(
            Ticket(
                report_id=report.id,
                adapter="http",
                status="已受理",
                created_at=start - timedelta(minutes=1),
                accepted_at=start - timedelta(minutes=1),
                accept_due_at=start + timedelta(hours=1),
                due_at=start + timedelta(minutes=1),
            )
        )
        await uow.commit()
    rollup = TicketRollup()
    first = await _both(seeded, rollup, StatsFilter(), utcnow())
    later = await _both(seeded, rollup, StatsFilter(), start + timedelta(minutes=2))
    assert later.total.overdue == first.total.overdue + 1


@pytest.mark.parametrize(
    ("start", "end", "months", "partial"),
    [
        (None, None, (None, None), []),
        ("2026-03-01", "2026-05-31", ("2026-03", "2026-05"), []),
        ("2026-03-15", None, ("2026-04", None), [("2026-03-15", "2026-03-31")]),
        ("2026-03-01", "2026-05-10", ("2026-03", "2026-04"), [("2026-05-01", "2026-05-10")]),
        ("2026-03-15", "2026-03-20", None, [("2026-03-15", "2026-03-20")]),
        (
            "2026-03-15",
            "2026-04-10",
            None,
            [("2026-03-15", "2026-03-31"), ("2026-04-01", "2026-04-10")],
        ),
        ("2026-10-01", "2026-10-31", ("2026-10", "2026-10"), []),
        # A period reaching today (or beyond) holds all of this month so far.
        ("2026-11-01", "2026-11-29", ("2026-11", None), []),
        ("2026-12-01", "2026-12-31", ("2026-12", None), []),
        ("2026-02-10", "2027-01-31", ("2026-03", None), [("2026-02-10", "2026-02-28")]),
    ],
)
def test_a_period_splits_into_whole_months_and_counted_days(
    start: str | None,
    end: str | None,
    months: tuple[str | None, str | None] | None,
    partial: list[tuple[str, str]],
) -> None:
    today = date(2026, 11, 29)
    found = split_period(
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
        today,
    )
    assert found == (months, [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in partial])


def test_month_bounds_are_china_midnights_in_utc() -> None:
    """Month bounds are China-time midnights, as the page's filter reads dates."""
    start, end = statistics_rollup.month_bounds("2026-03")
    assert (start, end) == (
        datetime(2026, 2, 28, 16, tzinfo=UTC),
        datetime(2026, 3, 31, 16, tzinfo=UTC),
    )


async def test_the_console_counts_the_months_while_it_starts(seeded: UnitOfWorkFactory) -> None:
    server = WebServer("127.0.0.1", 0)
    add_routes(server.app, Settings(_env_file=None), seeded, RecordingNotifier())
    await server.start()
    try:
        rollup = rollup_of(seeded)

        async def counted() -> list[str]:
            return rollup.months  # no page was asked for: the start counted them

        await until(counted, "the roll-up counted at start")
        async with seeded() as uow:
            direct = await StatisticsService(uow).rates(StatsFilter(), now=utcnow())
        assert rollup.months == [row.key for row in direct.by_month if row.tickets]
    finally:
        await server.stop()
