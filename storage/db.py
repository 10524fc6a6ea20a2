"""Engine and session factory for SQLite (aiosqlite, the default) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the console read while the bot writes; SQLite leaves foreign keys off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: DTOs are built after commit without a reload round-trip.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def savepoint(session: AsyncSession, table: str) -> AsyncIterator[None]:
    """A SAVEPOINT inside the session's transaction, on SQLite as on PostgreSQL.

    pysqlite opens its transaction only before an INSERT, UPDATE or DELETE. A SAVEPOINT sent
    before that opens a transaction of its own, and releasing it commits: the row added in it
    (a report, a ticket event) would be saved even when the rest of the unit of work fails.
    So on SQLite a statement that changes nothing (`DELETE ... WHERE 0` on the table about to
    be written) makes pysqlite open the transaction first; it also takes SQLite's write lock,
    so what the caller read for the row (the day's last report number) stays true until the
    commit. Bad table names are the caller's bug: `table` is never user input."""
    await begin_write(session, table)
    async with session.begin_nested():
        yield


async def begin_write(session: AsyncSession, table: str) -> None:
    """On SQLite: open the transaction and take the write lock now (a no-op on PostgreSQL,
    whose transaction is open from the first statement)."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text(f'DELETE FROM "{table}" WHERE 0'))
