"""确认提交 writes the report, its routing decision and its outbox message together or not at
all, on SQLite and on PostgreSQL: a failure after the report row is written leaves nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select

from bot.services.deputies.view import DeputyView
from bot.services.reporting.drafts import Draft
from bot.services.reporting.filing import ReportService
from bot.services.routing.directory_sync import sync_directory
from classifiers import RouterHolder, load_directory, load_router
from storage.bootstrap import open_database
from storage.models import Deputy, OutboxMessage, Report, RoutingDecision
from storage.uow import UnitOfWorkFactory

WAGE_ARREARS = (
    "邵东市廉桥镇一个工地的包工头拖欠我们二十多名农民工工资三万多元，至今不给，请人社局帮忙追讨。"
)


class MidSubmitCrash(Exception):
    """The update dies after the report row is in the database (a bug, a killed task)."""


@pytest.fixture(scope="module")
def classifier() -> RouterHolder:
    return RouterHolder(load_router())


@pytest.fixture
async def filing_db(sqlite_or_postgres_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    engine, uow_factory = await open_database(sqlite_or_postgres_url)
    async with uow_factory() as uow:
        await sync_directory(uow, load_directory())
        uow.session.add(Deputy(name="李代表", phone="13800000001", level="市", telegram_user_id=9))
        await uow.commit()
    yield uow_factory
    await engine.dispose()


class Crash:
    """Fails the flush that writes the routing decision: the report row was flushed first."""

    def __init__(self) -> None:
        self.report_ids: list[int] = []
        self.armed = True

    def __call__(self, _mapper: Any, _connection: Any, decision: RoutingDecision) -> None:
        if self.armed:
            self.report_ids.append(decision.report_id)
            raise MidSubmitCrash("killed mid-submit")


@pytest.fixture
def crash_after_report_row() -> Iterator[Crash]:
    crash = Crash()
    event.listen(RoutingDecision, "before_insert", crash)
    try:
        yield crash
    finally:
        event.remove(RoutingDecision, "before_insert", crash)


async def _counts(uow_factory: UnitOfWorkFactory) -> tuple[int, int, int]:
    async with uow_factory() as uow:
        counted = [
            await uow.session.scalar(select(func.count()).select_from(model))
            for model in (Report, RoutingDecision, OutboxMessage)
        ]
    return (counted[0] or 0, counted[1] or 0, counted[2] or 0)


async def _deputy(uow_factory: UnitOfWorkFactory) -> DeputyView:
    async with uow_factory() as uow:
        deputy = await uow.session.scalar(select(Deputy))
        assert deputy is not None
        return DeputyView.of(deputy)


async def _no_photos(file_id: str) -> bytes:
    raise AssertionError("no photos in this draft")


async def test_a_crash_after_the_report_row_leaves_nothing_and_a_retry_files_everything(
    filing_db: UnitOfWorkFactory, classifier: RouterHolder, crash_after_report_row: Crash
) -> None:
    deputy = await _deputy(filing_db)
    draft = Draft(parts=[WAGE_ARREARS])
    with pytest.raises(MidSubmitCrash):
        async with filing_db() as uow:
            await ReportService(uow, classifier).submit(deputy, draft, _no_photos)
    assert crash_after_report_row.report_ids  # the report row had been written (it has an id)
    assert await _counts(filing_db) == (0, 0, 0)

    crash_after_report_row.armed = False
    async with filing_db() as uow:
        result = await ReportService(uow, classifier).submit(deputy, draft, _no_photos)
    assert not result.already_submitted  # the deputy's second tap files it, once
    assert await _counts(filing_db) == (1, 1, 1)
