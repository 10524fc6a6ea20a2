"""Routing quality on real databases (SQLite, and PostgreSQL when reachable): the classifier's
accuracy per month and week against the admins' reviews, and which departments it confuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.services.routing.quality import QualityReport, routing_quality
from bot.services.statistics.filters import QualityFilter
from bot.services.statistics.rate import Rate
from console.statistics_texts import label, percent, week_label
from storage.bootstrap import open_database
from storage.uow import UnitOfWorkFactory
from tests.statistics_data import Row, hand_built_rows, insert_rows, utc

# (created UTC, classifier's department, final department, review status)
DECISIONS = [
    ("2026-03-31 17:00", 3, 3, "confirmed"),  # Wednesday 1 April in China
    ("2026-05-04 01:00", 1, 1, "confirmed"),  # Monday
    ("2026-05-05 01:00", 1, 2, "corrected"),
    ("2026-05-06 01:00", 2, 2, "confirmed"),
    ("2026-05-11 01:00", None, 3, "corrected"),  # from triage: the classifier had no guess
    ("2026-05-12 01:00", 1, 1, "pending"),  # not reviewed: not counted
    ("2026-06-01 01:00", 2, 1, "corrected"),
    ("2026-06-02 01:00", 1, 1, "confirmed"),
]


def _decision(number: int, created: str, suggested: int | None, final: int, review: str) -> Row:
    return {
        "report_id": number,
        "classifier_version": "test",
        "tokens": [],
        "candidates": [],
        "suggested_department_id": suggested,
        "department_id": final,
        "confidence": 0.5,
        "review_status": review,
        "created_at": utc(created),
    }


@pytest.fixture
async def quality_db(sqlite_or_postgres_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    engine, uow_factory = await open_database(sqlite_or_postgres_url)
    rows = hand_built_rows()
    rows["routing_decisions"] = [
        _decision(number, *decision) for number, decision in enumerate(DECISIONS, start=1)
    ]
    await insert_rows(engine, rows)
    yield uow_factory
    await engine.dispose()


async def _quality(uow_factory: UnitOfWorkFactory, flt: QualityFilter) -> QualityReport:
    async with uow_factory() as uow:
        return await routing_quality(uow, flt)


async def test_accuracy_per_month_counts_only_reviewed_decisions(
    quality_db: UnitOfWorkFactory,
) -> None:
    report = await _quality(quality_db, QualityFilter())
    assert (report.total, percent(report.total)) == (Rate(4, 7), "57.1%")
    assert [(row.period, row.reviewed, row.accuracy, row.corrected) for row in report.periods] == [
        ("2026-04", 1, Rate(1, 1), 0),
        ("2026-05", 4, Rate(2, 4), 2),
        ("2026-06", 2, Rate(1, 2), 1),
    ]


async def test_accuracy_per_week_starts_on_monday_and_keeps_quiet_weeks(
    quality_db: UnitOfWorkFactory,
) -> None:
    report = await _quality(quality_db, QualityFilter(period="week"))
    weeks = {row.period: row for row in report.periods}
    assert report.periods[0].period == "2026-03-30" and report.periods[-1].period == "2026-06-01"
    assert len(report.periods) == 10
    assert weeks["2026-05-04"].accuracy == Rate(2, 3)
    assert weeks["2026-05-11"].accuracy == Rate(0, 1)
    assert weeks["2026-04-20"].reviewed == 0 and percent(weeks["2026-04-20"].accuracy) == "—"
    assert week_label(weeks["2026-05-04"].label) == "2026-05-04 起一周"


async def test_confusions_and_per_department_precision_and_recall(
    quality_db: UnitOfWorkFactory,
) -> None:
    report = await _quality(quality_db, QualityFilter())
    confusions = {(label(row.suggested), label(row.final)): row for row in report.confusions}
    assert set(confusions) == {
        ("市住建局", "市城管局"),
        ("市城管局", "市住建局"),
        ("（分类器未给出）", "市交通局"),
    }
    assert confusions["市住建局", "市城管局"].share == Rate(1, 3)
    assert confusions["市城管局", "市住建局"].share == Rate(1, 2)
    departments = {row.department: row for row in report.departments}
    assert (departments["市住建局"].precision, departments["市住建局"].recall) == (
        Rate(2, 3),
        Rate(2, 3),
    )
    assert (departments["市交通局"].precision, departments["市交通局"].recall) == (
        Rate(1, 1),
        Rate(1, 2),
    )
    matrix = dict(zip(report.matrix.labels, report.matrix.counts, strict=True))
    column = report.matrix.labels.index("市城管局")
    assert matrix["市住建局"][column] == 1
    assert matrix["市城管局"][report.matrix.labels.index("市城管局")] == 0  # diagonal left out


async def test_date_range_is_read_in_china_time(quality_db: UnitOfWorkFactory) -> None:
    april = QualityFilter(start=date(2026, 4, 1), end=date(2026, 4, 30))
    report = await _quality(quality_db, april)
    assert report.total == Rate(1, 1)
    empty = await _quality(quality_db, QualityFilter(start=date(2025, 1, 1), end=date(2025, 1, 2)))
    assert percent(empty.total) == "—" and empty.periods == [] and empty.matrix.labels == []
