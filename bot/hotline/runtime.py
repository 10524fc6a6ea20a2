"""The hotline side of `python -m bot`: the adapter chosen by HOTLINE_ADAPTER, the outbox
worker, status polling, and the routes that receive the hotline's signed callbacks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

import aiohttp
from aiogram import Bot

from bot.config import Settings
from bot.core.leadership import Leadership
from bot.hotline.gateway import HotlineGateway
from bot.hotline.http.adapter import HttpHotlineAdapter
from bot.hotline.http.callbacks import callback_routes
from bot.hotline.open311.adapter import Open311Adapter
from bot.hotline.open311.poller import Open311StatusPoller
from bot.hotline.outbox import OutboxWorker
from bot.hotline.telegram.adapter import TelegramHotlineAdapter
from bot.services.jobs import periodic_jobs
from bot.services.notices import Alerter, Notifier
from bot.services.tickets.deadlines import DeadlinePolicy, WorkCalendar, parse_dates
from bot.services.tickets.updates import TicketUpdateService
from bot.web import WebServer
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=60, connect=5, sock_read=30)


class HotlineRuntime:
    def __init__(
        self,
        settings: Settings,
        uow_factory: UnitOfWorkFactory,
        notifier: Notifier | None,
        *,
        bot: Bot | None = None,
        alerter: Alerter | None = None,
        leadership: Leadership | None = None,
    ) -> None:
        """`notifier` tells deputies about hotline events; None in a delivery-only process.
        `bot` posts into the operators' group (HOTLINE_ADAPTER=telegram); `alerter` tells the
        staff of outages and dead letters (ALERTS_CHAT_ID); `leadership` is the singleton
        duties' lease when several instances run (the periodic jobs, the Open311 poller)."""
        self._leadership = leadership
        self._settings = settings
        self._uow_factory = uow_factory
        self._notifier = notifier
        self._bot = bot
        self._alerter = alerter
        self._session: aiohttp.ClientSession | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.worker: OutboxWorker | None = None
        self._deadlines = _deadline_policy(settings)  # shared by the worker, watch and chat

    def add_routes(self, web_server: WebServer) -> None:
        assert self._notifier is not None, "callbacks need a notifier"
        secret = self._settings.hotline_secret.get_secret_value()
        web_server.app.add_routes(callback_routes(self._uow_factory, secret, self._notifier))

    async def start(self, *, deliver_only: bool = False) -> None:
        """`deliver_only`: the `python -m bot worker` process, which runs just the outbox."""
        settings = self._settings
        if not deliver_only and self._notifier is not None:
            # 预警, automatic 催办/督办 and the 复发 question (bot/services/jobs.py).
            jobs = periodic_jobs(
                settings,
                self._uow_factory,
                self._notifier,
                self._deadlines,
                self._alerter,
                leadership=self._leadership,
            )
            self._tasks.append(asyncio.create_task(jobs.run_forever(self._stop)))
        telegram = settings.hotline_adapter == "telegram"
        if telegram and (deliver_only or self._bot is None or self._notifier is None):
            # Operators act in the bot's own chat: no other process can deliver there.
            log.error("HOTLINE_ADAPTER=telegram delivers inside `python -m bot` only")
            return
        gateway = await self._gateway()
        if gateway is None:
            log.warning(
                "HOTLINE_ADAPTER=%s is not available yet: reports stay in the outbox",
                settings.hotline_adapter,
            )
            return
        deliver_only = deliver_only or self._notifier is None
        if not deliver_only and settings.hotline_adapter == "open311":
            self._start_open311_poller()  # Open311 has no callbacks: its status is polled
        if telegram and not settings.outbox_worker_in_bot:
            log.warning("OUTBOX_WORKER_IN_BOT=false ignored: HOTLINE_ADAPTER=telegram needs it")
        if deliver_only or settings.outbox_worker_in_bot or telegram:
            self.worker = OutboxWorker(
                self._uow_factory,
                gateway,
                deadlines=self._deadlines,
                batch=settings.outbox_batch,
                concurrency=settings.outbox_concurrency,
                lease=timedelta(seconds=settings.outbox_lease_seconds),
                retry_for=timedelta(hours=settings.outbox_retry_hours),
                max_delay=settings.outbox_retry_max_seconds,
            )
            # A report filed in this process is delivered at once, not after the idle sleep.
            self._uow_factory.on_outbox = self.worker.wake
            poll = settings.outbox_poll_seconds
            self._tasks.append(asyncio.create_task(self.worker.run_forever(self._stop, poll)))

    async def _gateway(self) -> HotlineGateway | None:
        adapter = self._settings.hotline_adapter
        if adapter == "telegram":
            return self._telegram_gateway()
        if adapter not in ("http", "open311"):
            return None
        # One client session per process, for every outgoing hotline call.
        self._session = aiohttp.ClientSession(timeout=HTTP_TIMEOUT)
        if adapter == "http":
            secret = self._settings.hotline_secret.get_secret_value()
            return HttpHotlineAdapter(self._session, self._settings.hotline_url, secret)
        return await self._open311_gateway(self._session)

    def _telegram_gateway(self) -> TelegramHotlineAdapter:
        chat_id = self._settings.operators_chat()
        assert self._bot is not None and self._notifier is not None  # start() checked
        return TelegramHotlineAdapter(
            self._bot, chat_id, self._uow_factory, self._notifier, deadlines=self._deadlines
        )

    async def _open311_gateway(self, session: aiohttp.ClientSession) -> Open311Adapter:
        settings = self._settings
        if not settings.open311_url:
            raise RuntimeError("HOTLINE_ADAPTER=open311 needs OPEN311_URL")
        async with self._uow_factory() as uow:
            names = {
                d.code: [d.name, *(d.aliases or [])]
                for d in await uow.directory.active_departments()
            }
        api_key = settings.open311_api_key
        return Open311Adapter(
            session,
            settings.open311_url,
            api_key.get_secret_value() if api_key else None,
            settings.open311_jurisdiction_id,
            names,
            mapping_file=settings.open311_service_map,
            unsure_service_code=settings.open311_unsure_service_code,
        )

    def _start_open311_poller(self) -> None:
        settings = self._settings
        assert self._session is not None and settings.open311_url and self._notifier is not None
        poller = Open311StatusPoller(
            self._uow_factory,
            self._session,
            settings.open311_url,
            TicketUpdateService(self._uow_factory, self._notifier, adapter="open311"),
            poll_seconds=settings.open311_poll_seconds,
            jurisdiction_id=settings.open311_jurisdiction_id,
            api_key=settings.open311_api_key.get_secret_value()
            if settings.open311_api_key
            else None,
            leadership=self._leadership,
        )
        self._tasks.append(asyncio.create_task(poller.run_forever(self._stop)))

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, timeout=10)
        if self._session is not None:
            await self._session.close()


def _deadline_policy(settings: Settings) -> DeadlinePolicy:
    calendar = WorkCalendar(
        holidays=parse_dates(settings.deadline_holidays),
        extra_workdays=parse_dates(settings.deadline_extra_workdays),
    )
    return DeadlinePolicy(
        calendar,
        accept_hours=settings.deadline_accept_hours,
        urgent_hours=settings.deadline_urgent_hours,
    )
