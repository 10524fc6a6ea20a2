"""Fresh, empty databases for one benchmark run, removed afterwards (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

POSTGRES_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


@asynccontextmanager
async def databases(kind: str, names: tuple[str, ...]) -> AsyncIterator[tuple[str, ...] | None]:
    """One SQLAlchemy async URL per name; None (said why) when PostgreSQL is unreachable."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield tuple(f"sqlite+aiosqlite:///{folder}/{name}.sqlite3" for name in names)
        return
    import asyncpg

    try:
        admin = await asyncpg.connect(POSTGRES_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        print(f"  skipped: PostgreSQL not reachable at {POSTGRES_DSN}: {error}")
        yield None
        return
    created = [f"bench_{uuid.uuid4().hex[:10]}" for _ in names]
    base = POSTGRES_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        for name in created:
            await admin.execute(f'CREATE DATABASE "{name}"')
        yield tuple(f"{base}/{name}" for name in created)
    finally:
        for name in created:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
