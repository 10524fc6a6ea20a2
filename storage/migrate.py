"""Bring a database's schema to a revision with Alembic, from sync or async code.

Alembic is imported only when there is something to do: a bot starting on an up-to-date
database skips ~11 MB of imports (a test keeps HEAD_REVISION equal to the newest script)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HEAD_REVISION = "0010"


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def current_revision(engine: AsyncEngine) -> str | None:
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:
        return None  # a new database: no version table yet


async def upgrade_if_needed(engine: AsyncEngine) -> None:
    if await current_revision(engine) != HEAD_REVISION:
        await upgrade(engine)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    from alembic import command

    await _run(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    await _run(engine, lambda config: command.downgrade(config, revision))


async def _run(engine: AsyncEngine, action: Callable[[Config], None]) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        action(config)

    async with engine.begin() as connection:
        await connection.run_sync(run)
