"""Unit of work: one session per update (or per CLI command / job); only it commits."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories.audit import AuditRepository
from storage.repositories.deputies import DeputyRepository
from storage.repositories.directory import DirectoryRepository
from storage.repositories.reports import ReportRepository
from storage.repositories.tickets import TicketRepository


class UnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.deputies = DeputyRepository(session)
        self.directory = DirectoryRepository(session)
        self.audit = AuditRepository(session)
        self.reports = ReportRepository(session)
        self.tickets = TicketRepository(session)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class UnitOfWorkFactory:
    """`async with factory() as uow:` opens a unit of work; uncommitted work is rolled back."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    def __call__(self) -> _UowContext:
        return _UowContext(self._session_factory())


class _UowContext:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def __aenter__(self) -> UnitOfWork:
        return UnitOfWork(self._session)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._session.close()  # closing rolls back whatever was not committed
