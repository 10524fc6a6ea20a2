"""Unit of work: one session per update (or per CLI command / job); only it commits."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from storage.models import OutboxMessage
from storage.repositories.audit import AuditRepository
from storage.repositories.catalogue import CatalogueRepository
from storage.repositories.console import ConsoleRepository
from storage.repositories.deadlines import DeadlineRepository
from storage.repositories.delivery import DeliveryRepository
from storage.repositories.deputies import DeputyRepository
from storage.repositories.directory import DirectoryRepository
from storage.repositories.open311 import Open311PollRepository
from storage.repositories.reports import ReportRepository
from storage.repositories.review import ReviewRepository
from storage.repositories.routing_quality import RoutingQualityRepository
from storage.repositories.statistics import StatisticsRepository
from storage.repositories.supervision import SupervisionRepository
from storage.repositories.tickets import OutboxRepository, TicketRepository


class UnitOfWork:
    """The one way to the repositories: each is made on first use, for this session."""

    def __init__(self, session: AsyncSession, on_outbox: Callable[[], None] | None = None) -> None:
        self.session = session
        self._on_outbox = on_outbox

    @cached_property
    def deputies(self) -> DeputyRepository:
        return DeputyRepository(self.session)

    @cached_property
    def directory(self) -> DirectoryRepository:
        return DirectoryRepository(self.session)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)

    @cached_property
    def reports(self) -> ReportRepository:
        return ReportRepository(self.session)

    @cached_property
    def tickets(self) -> TicketRepository:
        return TicketRepository(self.session)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self.session)

    @cached_property
    def delivery(self) -> DeliveryRepository:
        return DeliveryRepository(self.session)

    @cached_property
    def deadlines(self) -> DeadlineRepository:
        return DeadlineRepository(self.session)

    @cached_property
    def open311(self) -> Open311PollRepository:
        return Open311PollRepository(self.session)

    @cached_property
    def catalogue(self) -> CatalogueRepository:
        return CatalogueRepository(self.session)

    @cached_property
    def console(self) -> ConsoleRepository:
        return ConsoleRepository(self.session)

    @cached_property
    def review(self) -> ReviewRepository:
        return ReviewRepository(self.session)

    @cached_property
    def statistics(self) -> StatisticsRepository:
        return StatisticsRepository(self.session)

    @cached_property
    def routing_quality(self) -> RoutingQualityRepository:
        return RoutingQualityRepository(self.session)

    @cached_property
    def supervision(self) -> SupervisionRepository:
        return SupervisionRepository(self.session)

    async def commit(self) -> None:
        await self.session.commit()  # flushes: the listener below marks a queued message
        if self.session.info.pop(_QUEUED, False) and self._on_outbox is not None:
            self._on_outbox()  # an in-process outbox worker delivers now, not after its sleep

    async def rollback(self) -> None:
        await self.session.rollback()


_QUEUED = "outbox_queued"


@event.listens_for(Session, "before_flush")
def _mark_queued_outbox(session: Session, _context: Any, _instances: Any) -> None:
    # Seen at flush time: a repository may flush early (to get ids) and empty `session.new`.
    if any(isinstance(row, OutboxMessage) for row in session.new):
        session.info[_QUEUED] = True


@event.listens_for(Session, "after_rollback")
def _forget_queued_outbox(session: Session) -> None:
    session.info.pop(_QUEUED, None)


class UnitOfWorkFactory:
    """`async with factory() as uow:` opens a unit of work; uncommitted work is rolled back."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self.on_outbox: Callable[[], None] | None = None  # called after a commit that queued

    def __call__(self) -> _UowContext:
        return _UowContext(self._session_factory(), self.on_outbox)


class _UowContext:
    def __init__(self, session: AsyncSession, on_outbox: Callable[[], None] | None) -> None:
        self._session = session
        self._on_outbox = on_outbox

    async def __aenter__(self) -> UnitOfWork:
        return UnitOfWork(self._session, self._on_outbox)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._session.close()  # closing rolls back whatever was not committed
