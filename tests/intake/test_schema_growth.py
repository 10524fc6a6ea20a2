"""The reference intake's database from an earlier version gets the columns added since (it has
no migrations; its schema only grows): a demo's old data keeps working."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from intake.db import open_engine


async def test_an_old_database_gains_the_new_nullable_columns(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    old = create_async_engine(url)
    async with old.begin() as conn:  # the tickets table as an earlier version made it
        await conn.execute(text("CREATE TABLE intake_tickets (id INTEGER PRIMARY KEY)"))
    await old.dispose()
    engine = await open_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("intake_tickets")}
        )
    await engine.dispose()
    assert {"routing", "expected_at", "answer"} <= names
