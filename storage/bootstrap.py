"""Open a database ready for use: connect, then bring the schema to head (every entry point)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.uow import UnitOfWorkFactory


async def open_database(url: str, *, echo: bool = False) -> tuple[AsyncEngine, UnitOfWorkFactory]:
    engine = create_engine(url, echo=echo)
    await migrate.upgrade_if_needed(engine)
    return engine, UnitOfWorkFactory(create_session_factory(engine))
