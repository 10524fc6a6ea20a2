"""Stairway: every revision goes up, down and up again, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.base import Base
from storage.db import create_engine


async def _walk_stairway(url: str) -> None:
    engine = create_engine(url)
    try:
        revisions = migrate.revisions()
        assert revisions, "no migrations found"
        for index, revision in enumerate(revisions):
            previous = revisions[index - 1] if index else "base"
            await migrate.upgrade(engine, revision)
            await migrate.downgrade(engine, previous)
            await migrate.upgrade(engine, revision)
        assert await _tables(engine) >= set(Base.metadata.tables)
        await migrate.downgrade(engine, "base")
        assert await _tables(engine) <= {"alembic_version"}
    finally:
        await engine.dispose()


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_stairway_on_sqlite(sqlite_url: str) -> None:
    await _walk_stairway(sqlite_url)


async def test_stairway_on_postgresql(postgres_url: str) -> None:
    await _walk_stairway(postgres_url)


async def _assert_models_match_migrations(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
        assert diff == [], "models changed without a migration"
    finally:
        await engine.dispose()


async def test_sqlite_schema_matches_models(sqlite_url: str) -> None:
    await _assert_models_match_migrations(sqlite_url)


async def test_postgresql_schema_matches_models(postgres_url: str) -> None:
    await _assert_models_match_migrations(postgres_url)


def test_head_revision_constant_is_the_newest_script() -> None:
    assert migrate.revisions()[-1] == migrate.HEAD_REVISION


async def test_up_to_date_database_is_left_alone(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        assert await migrate.current_revision(engine) is None
        await migrate.upgrade_if_needed(engine)
        assert await migrate.current_revision(engine) == migrate.HEAD_REVISION
        await migrate.upgrade_if_needed(engine)  # no-op, and no error
    finally:
        await engine.dispose()
