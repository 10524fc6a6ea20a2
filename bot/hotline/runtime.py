"""The hotline side of `python -m bot`: the adapter chosen by HOTLINE_ADAPTER, the outbox
worker, status polling, and the routes that receive the hotline's signed callbacks."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from bot.config import Settings
from bot.hotline.callbacks import callback_routes
from bot.hotline.http_adapter import HttpHotlineAdapter
from bot.hotline.open311_adapter import Open311Adapter
from bot.hotline.outbox import OutboxWorker
from bot.hotline.status_poller import Open311StatusPoller
from bot.services.deadlines import DeadlinePolicy, WorkCalendar, parse_dates
from bot.services.ticket_updates import Notifier, TicketUpdateService
from bot.web import WebServer
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=60, connect=5, sock_read=30)


class HotlineRuntime:
    def __init__(
        self, settings: Settings, uow_factory: UnitOfWorkFactory, notifier: Notifier
    ) -> None:
        self._settings = settings
        self._uow_factory = uow_factory
        self._notifier = notifier
        self._session: aiohttp.ClientSession | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.worker: OutboxWorker | None = None

    def add_routes(self, web_server: WebServer) -> None:
        secret = self._settings.hotline_secret.get_secret_value()
        web_server.app.add_routes(callback_routes(self._uow_factory, secret, self._notifier))

    async def start(self) -> None:
        secret = self._settings.hotline_secret.get_secret_value()
        adapter = self._settings.hotline_adapter
        if adapter in ("http", "open311"):
            # One client session per process, for every outgoing hotline call.
            self._session = aiohttp.ClientSession(timeout=HTTP_TIMEOUT)
            gateway = (
                HttpHotlineAdapter(self._session, self._settings.hotline_url, secret)
                if adapter == "http"
                else await self._open311_gateway(self._session)
            )
            self.worker = OutboxWorker(self._uow_factory, gateway, deadlines=self._deadlines())
            self._tasks.append(asyncio.create_task(self.worker.run_forever(self._stop)))
        else:
            log.warning(
                "HOTLINE_ADAPTER=%s is not available yet: reports stay in the outbox",
                self._settings.hotline_adapter,
            )

    def _deadlines(self) -> DeadlinePolicy:
        settings = self._settings
        calendar = WorkCalendar(
            holidays=parse_dates(settings.deadline_holidays),
            extra_workdays=parse_dates(settings.deadline_extra_workdays),
        )
        return DeadlinePolicy(
            calendar,
            accept_hours=settings.deadline_accept_hours,
            urgent_hours=settings.deadline_urgent_hours,
        )

    async def _open311_gateway(self, session: aiohttp.ClientSession) -> Open311Adapter:
        """Open311 has no callbacks: its adapter comes with a status poller."""
        settings = self._settings
        if not settings.open311_url:
            raise RuntimeError("HOTLINE_ADAPTER=open311 needs OPEN311_URL")
        async with self._uow_factory() as uow:
            names = {
                d.code: [d.name, *(d.aliases or [])]
                for d in await uow.directory.active_departments()
            }
        api_key = settings.open311_api_key
        gateway = Open311Adapter(
            session,
            settings.open311_url,
            api_key.get_secret_value() if api_key else None,
            settings.open311_jurisdiction_id,
            names,
            mapping_file=settings.open311_service_map,
        )
        poller = Open311StatusPoller(
            self._uow_factory,
            session,
            settings.open311_url,
            TicketUpdateService(self._uow_factory, self._notifier, adapter="open311"),
            poll_seconds=settings.open311_poll_seconds,
            jurisdiction_id=settings.open311_jurisdiction_id,
        )
        self._tasks.append(asyncio.create_task(poller.run_forever(self._stop)))
        return gateway

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, timeout=10)
        if self._session is not None:
            await self._session.close()
