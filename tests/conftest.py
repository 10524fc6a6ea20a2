"""Shared fixtures: real databases (SQLite files; PostgreSQL when reachable)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.bootstrap import open_database
from storage.uow import UnitOfWorkFactory

POSTGRES_ADMIN_DSN = os.environ.get(
    "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[tuple[AsyncEngine, UnitOfWorkFactory]]:
    engine, uow_factory = await open_database(sqlite_url)
    yield engine, uow_factory
    await engine.dispose()


@pytest.fixture
def uow_factory(database: tuple[AsyncEngine, UnitOfWorkFactory]) -> UnitOfWorkFactory:
    return database[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def sqlite_or_postgres_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """Each test twice: on SQLite, then on PostgreSQL (skipped when that is unreachable)."""
    if request.param == "sqlite":
        return sqlite_url
    url: str = request.getfixturevalue("postgres_url")  # skips when PostgreSQL is unreachable
    return url


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    asyncpg = pytest.importorskip("asyncpg")
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_DSN}: {error}")
    name = f"t_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
