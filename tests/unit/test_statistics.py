"""三率 and 履职 statistics on real databases (SQLite, and PostgreSQL when reachable): the SQL
against figures worked out by hand for a small set, and against an independent oracle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.statistics.filters import FilterError, StatsFilter, parse_filter
from bot.services.statistics.rate import Rate
from bot.services.statistics.three_rates import RateRow, RatesReport, StatisticsService
from console.refusals import words
from console.statistics_texts import label, percent
from storage.bootstrap import open_database
from storage.uow import UnitOfWorkFactory
from tests.statistics_data import (
    NOW,
    Expected,
    china_day,
    expected_deputies,
    expected_rates,
    hand_built_rows,
    insert_rows,
)

Db = tuple[AsyncEngine, UnitOfWorkFactory]


@pytest.fixture
async def stats_db(sqlite_or_postgres_url: str) -> AsyncIterator[Db]:
    engine, uow_factory = await open_database(sqlite_or_postgres_url)
    await insert_rows(engine, hand_built_rows())
    yield engine, uow_factory
    await engine.dispose()


async def _rates(uow_factory: UnitOfWorkFactory, flt: StatsFilter | None = None) -> RatesReport:
    async with uow_factory() as uow:
        return await StatisticsService(uow).rates(flt or StatsFilter(), now=NOW)


def _same(row: RateRow, expected: Expected) -> None:
    assert row.tickets == expected.tickets, row.label
    assert (row.response.hits, row.response.total) == tuple(expected.response), row.label
    assert (row.resolution.hits, row.resolution.total) == tuple(expected.resolution), row.label
    assert (row.satisfaction.hits, row.satisfaction.total) == tuple(expected.satisfaction)
    assert (row.overdue, row.overdue_urged, row.overdue_escalated) == (
        expected.overdue,
        expected.urged,
        expected.escalated,
    ), row.label


async def test_three_rates_match_the_figures_worked_out_by_hand(stats_db: Db) -> None:
    report = await _rates(stats_db[1])
    total = report.total
    assert total.tickets == 11  # the withdrawn ticket and the draft count nowhere
    assert (total.response, percent(total.response)) == (Rate(5, 8), "62.5%")
    assert (total.resolution, percent(total.resolution)) == (Rate(3, 6), "50.0%")
    assert (total.satisfaction, percent(total.satisfaction)) == (Rate(4, 5), "80.0%")
    assert (total.overdue, total.overdue_urged, total.overdue_escalated) == (3, 2, 1)
    assert total.avg_handling_hours == pytest.approx(104.0)
    departments = {row.label: row for row in report.by_department}
    assert set(departments) == {"市住建局", "市城管局"}  # no tickets: no row
    assert percent(departments["市住建局"].satisfaction) == "66.7%"
    assert departments["市城管局"].response == Rate(3, 4)
    districts = {label(row.label): row for row in report.by_district}
    assert districts["大祥区"].resolution == Rate(2, 5)
    unnamed = districts["未注明区县"]
    assert unnamed.tickets == 2 and percent(unnamed.response) == "—"  # 0 denominators: "—"
    assert [row.label for row in report.by_month] == [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
    ]  # fmt: skip
    february = report.by_month[1]
    assert february.tickets == 0 and percent(february.satisfaction) == "—"
    assert report.by_month[3].tickets == 2  # 23:00 UTC on 31 March is April in China
    assert [item.number for item in report.overdue] == ["SY-T0004", "SY-T0009", "SY-T0012"]


async def test_every_group_matches_the_independent_oracle(stats_db: Db) -> None:
    rows = hand_built_rows()
    report = await _rates(stats_db[1])
    names = {d["id"]: d["name"] for d in rows["departments"]}
    oracle = expected_rates(rows, NOW, lambda ticket, _r: names[ticket["department_id"]])
    assert {row.label for row in report.by_department} == set(oracle)
    for row in report.by_department:
        _same(row, oracle[row.label])
    months = expected_rates(
        rows, NOW, lambda ticket, _r: china_day(ticket["created_at"]).strftime("%Y-%m")
    )
    for row in report.by_month:
        _same(row, months.get(row.label, Expected()))
    _same(report.total, expected_rates(rows, NOW)["total"])


async def test_filters_narrow_by_china_time_days_department_and_district(stats_db: Db) -> None:
    rows = hand_built_rows()
    april = StatsFilter(start=date(2026, 4, 1), end=date(2026, 4, 30))
    report = await _rates(stats_db[1], april)
    _same(report.total, expected_rates(rows, NOW, start=april.start, end=april.end)["total"])
    assert report.total.tickets == 2 and percent(report.total.response) == "0.0%"
    one = await _rates(stats_db[1], StatsFilter(department="CG", district="DX"))
    _same(one.total, expected_rates(rows, NOW, department=2, district=1)["total"])
    assert [row.label for row in one.by_department] == ["市城管局"]
    with pytest.raises(FilterError) as refused:
        await _rates(stats_db[1], StatsFilter(department="NOPE"))
    assert words(refused.value) == "所选承办单位不存在。"


async def test_deputy_record_counts_filed_answered_and_satisfaction(stats_db: Db) -> None:
    async with stats_db[1]() as uow:
        report = await StatisticsService(uow).deputies(StatsFilter())
    expected = expected_deputies(hand_built_rows())
    people = {int(row.key): row for row in report.by_deputy}
    assert set(people) == {1, 2, 3}  # the inactive deputy who filed nothing is left out
    for deputy_id, (filed, answered, rated, content) in expected.items():
        row = people[deputy_id]
        assert (row.filed, row.answered) == (filed, answered)
        assert (row.satisfaction.hits, row.satisfaction.total) == (content, rated)
    assert (people[1].filed, people[1].answered, people[1].satisfaction) == (6, 5, Rate(3, 4))
    assert people[3].filed == 0 and percent(people[3].answered_rate) == "—"
    assert [row.label for row in report.by_level] == ["市", "县", "乡"]
    stations = {row.label: row for row in report.by_station}
    assert (stations["城西联络站"].filed, stations["城西联络站"].deputies) == (11, 2)
    assert stations["东风联络站"].active_deputies == 0
    total = report.total
    assert (total.deputies, total.active_deputies, total.filed, total.answered) == (3, 2, 11, 6)
    assert total.satisfaction == Rate(4, 5)


async def test_deputy_record_for_one_department_lists_only_those_who_filed(stats_db: Db) -> None:
    async with stats_db[1]() as uow:
        report = await StatisticsService(uow).deputies(StatsFilter(department="CG"))
    assert {row.label: row.filed for row in report.by_deputy} == {"王代表": 2, "李代表": 3}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-01"}, "日期格式不正确"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "开始日期不能晚于结束日期"),
        ({"to": "9999-12-31"}, "日期须在"),
        ({"department": "<script>"}, "承办单位参数无效"),
        ({"district": "x" * 40}, "区县参数无效"),
    ],
)
def test_bad_filter_input_gets_a_chinese_message(params: dict[str, str], message: str) -> None:
    with pytest.raises(FilterError) as refused:
        parse_filter(params)
    assert message in words(refused.value)
