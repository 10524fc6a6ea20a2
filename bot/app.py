"""App wiring: the one place where the bot, dispatcher, routers and dependencies meet."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import AiogramError
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncEngine

import handlers
from bot import texts
from bot.config import Settings
from bot.fsm_storage import SqlStorage, create_fsm_storage
from bot.hotline.runtime import HotlineRuntime
from bot.hotline.telegram import chat as operator_chat
from bot.hotline.telegram.desk import OperatorDesk
from bot.ops.cache_bus import CacheBus
from bot.ops.dedup import DedupMiddleware, SeenUpdates
from bot.ops.health import Health
from bot.ops.lease import RedisLease
from bot.ops.shared import SharedState
from bot.ops.webhook import add_webhook, set_webhook
from bot.process_tuning import keep_response_models_alive, release_freed_memory
from bot.services.deputies.identity_cache import IdentityCache
from bot.services.notices import Notifier
from bot.services.reporting.photos import PhotoStore
from bot.services.reporting.safety import DangerCheck
from bot.services.routing.directory import RouterDirectory, database_directory
from bot.services.routing.directory_sync import sync_directory
from bot.telegram_session import TolerantSession
from bot.web import WebServer
from classifiers import RouterHolder, load_directory, load_router
from console import add_routes as add_console
from handlers.common.danger import DangerMiddleware
from handlers.middlewares import (
    HandlerNameMiddleware,
    PerUserOrderMiddleware,
    ServicesMiddleware,
    ThrottlingMiddleware,
    UnitOfWorkMiddleware,
    UpdateMetricsMiddleware,
)
from handlers.notifier import TelegramAlerts, TelegramNotifier
from storage.bootstrap import open_database
from storage.db import create_session_factory
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


def _registry_changed(identities: IdentityCache, bus: CacheBus) -> None:
    identities.expire()
    bus.announce("identity")


def _share_caches(
    bus: CacheBus, identities: IdentityCache, router_directory: RouterDirectory
) -> None:
    """What the console changes on one instance, every instance forgets (bot/ops/cache_bus)."""
    bus.on("identity", identities.expire)
    bus.on("directory", lambda: router_directory.refresh(announce=False))
    router_directory.announce = lambda: bus.announce("directory")


def build_bot(settings: Settings) -> Bot:
    session = TolerantSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    return Bot(
        settings.token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def build_dispatcher(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    storage: BaseStorage,
    classifier: RouterHolder,
    notifier: Notifier,
    identities: IdentityCache | None = None,
    *,
    events_isolation: BaseEventIsolation | None = None,
    seen_updates: SeenUpdates | None = None,
) -> Dispatcher:
    """`events_isolation`: one update at a time per user across instances (Redis);
    `seen_updates`: webhook mode, where an update may come twice."""
    dispatcher = Dispatcher(storage=storage, events_isolation=events_isolation, settings=settings)
    # Order matters (all inside aiogram's FSM middleware, which holds the per-user lock): time
    # everything, drop a second delivery, throttle before queueing per user, and all of it
    # before touching the database.
    dispatcher.update.outer_middleware(UpdateMetricsMiddleware())
    if seen_updates is not None:
        dispatcher.update.outer_middleware(DedupMiddleware(seen_updates))
    dispatcher.update.outer_middleware(
        ThrottlingMiddleware(settings.throttle_rate, settings.throttle_period)
    )
    dispatcher.update.outer_middleware(PerUserOrderMiddleware())
    dispatcher.update.outer_middleware(
        UnitOfWorkMiddleware(uow_factory, identities or IdentityCache())
    )
    services = ServicesMiddleware(
        handlers.service_providers(
            classifier,
            PhotoStore(settings.data_dir / "photos"),
            unsure_to_hotline=settings.routing_unsure == "hotline",
        )
    )
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.middleware(HandlerNameMiddleware())
        observer.middleware(services)
    dispatcher.message.middleware(DangerMiddleware(DangerCheck(classifier)))  # advice first
    if settings.hotline_adapter == "telegram":
        # First: every update of the operators' group ends there, unseen by the deputy routers.
        desk = OperatorDesk(uow_factory, notifier)
        dispatcher.include_router(operator_chat.setup(settings.operators_chat(), desk))
    dispatcher.include_router(handlers.setup())
    return dispatcher


class BotApiUnavailable(RuntimeError):
    """getMe failed at start-up: without it the bot cannot poll."""

    def __init__(self, base: str, error: BaseException) -> None:
        first = (str(error).strip().splitlines() or [""])[0]
        super().__init__(
            f"Bot API 不可用：{base} 的 getMe 失败（{type(error).__name__}: {first}）"[:300]
        )


@dataclass
class Application:
    """Everything `python -m bot` runs, built once at start-up."""

    settings: Settings
    engine: AsyncEngine
    uow_factory: UnitOfWorkFactory
    classifier: RouterHolder
    bot: Bot
    dispatcher: Dispatcher
    hotline: HotlineRuntime
    web: WebServer
    router_directory: RouterDirectory
    shared: SharedState
    # What the console calls after deputies are deactivated, unbound or imported.
    registry_changed: Callable[[], None]
    _stopped: asyncio.Event = field(default_factory=asyncio.Event)
    _polling_lease: RedisLease | None = None

    @classmethod
    async def create(
        cls, settings: Settings, classifier: RouterHolder | None = None
    ) -> Application:
        engine, uow_factory = await open_database(
            settings.database_url, echo=settings.database_echo
        )
        # The shipped directory seeds the database; the router classifies with the database's.
        seed = load_directory()
        async with uow_factory() as uow:
            await sync_directory(uow, seed)
            directory = await database_directory(uow, seed)
        if classifier is None:
            classifier = RouterHolder(load_router(directory=directory))
        else:
            await asyncio.to_thread(classifier.reload, directory, model=False)
        router_directory = RouterDirectory(classifier, uow_factory, seed)
        storage = create_fsm_storage(settings.redis_url, create_session_factory(engine))
        if isinstance(storage, SqlStorage):
            await storage.preload()
        bot = build_bot(settings)
        shared = SharedState.create(settings, storage, bot.id)
        identities = IdentityCache()  # the console expires it after registry changes
        notifier = TelegramNotifier(bot)
        dispatcher = build_dispatcher(
            settings,
            uow_factory,
            storage,
            classifier,
            notifier,
            identities,
            events_isolation=shared.events_isolation,
            seen_updates=shared.seen_updates,
        )
        chat = settings.alerts_chat_id
        alerter = TelegramAlerts(bot, chat) if chat is not None else None
        hotline = HotlineRuntime(
            settings, uow_factory, notifier, bot=bot, alerter=alerter, leadership=shared.jobs_lease
        )
        web_server = WebServer(settings.web_host, settings.web_port)
        redis_ping = shared.ping if shared.redis is not None else None
        web_server.app.add_routes(Health(engine, uow_factory, redis_ping).routes())
        if settings.webhook:
            add_webhook(web_server.app, dispatcher, bot, settings)
        hotline.add_routes(web_server)
        _share_caches(shared.bus, identities, router_directory)
        registry_changed = functools.partial(_registry_changed, identities, shared.bus)
        add_console(
            web_server.app,
            settings,
            uow_factory,
            notifier,
            wake_outbox=lambda: hotline.worker.wake() if hotline.worker else None,
            router_directory=router_directory,
            registry_changed=registry_changed,
        )
        return cls(
            settings,
            engine,
            uow_factory,
            classifier,
            bot,
            dispatcher,
            hotline,
            web_server,
            router_directory,
            shared,
            registry_changed,
        )

    async def run(self, *, handle_signals: bool = True) -> None:
        """Raises SecondPollerError (before serving anything) when polling and another
        instance already polls the same token."""
        # getMe first: a wrong token or an unreachable server stops here, with one clear line.
        try:
            me = await self.bot.get_me()
        except (AiogramError, OSError) as error:
            raise BotApiUnavailable(self.settings.telegram_api_base, error) from error
        if not self.settings.webhook:
            self._polling_lease = await self.shared.claim_polling(self.bot.id)
        await self._startup_extras()
        keep_response_models_alive()
        # Start-up leaves ~1M long-lived objects (aiogram's pydantic models, SQLAlchemy mappers,
        # the jieba dictionary); keeping the collector off them saves CPU on every update.
        gc.collect()
        gc.freeze()
        release_freed_memory()
        await self.shared.start()
        await self.hotline.start()
        await self.web.start()
        self._reload_classifier_on_sighup()
        if self.settings.webhook:
            await set_webhook(self.bot, self.dispatcher, self.settings)
            log.info("bot @%s on webhook %s", me.username, self.settings.webhook_url)
            await self._serve_webhook(handle_signals)
            return
        # Back from webhook mode: Telegram refuses getUpdates while a webhook is set. A server
        # without webhooks (a test peer) may refuse the call: then there is none to delete.
        try:
            await self.bot.delete_webhook(drop_pending_updates=False)
        except (AiogramError, OSError) as error:
            log.warning("deleteWebhook refused, polling anyway: %s", error)
        log.info("bot @%s polling %s", me.username, self.settings.telegram_api_base)
        await self.dispatcher.start_polling(
            self.bot,
            polling_timeout=self.settings.polling_timeout,
            handle_signals=handle_signals,
            close_bot_session=False,
            # Unbounded, a burst of updates makes thousands of tasks queue on the connection pool,
            # and the waiting itself costs more CPU than the work (measured by make bench).
            tasks_concurrency_limit=self.settings.update_concurrency,
        )

    async def _startup_extras(self) -> None:
        """Cosmetics (the command menu): a server that refuses them is logged, not fatal."""
        commands = [
            BotCommand(command=name, description=text) for name, text in texts.COMMANDS.items()
        ]
        try:
            await self.bot.set_my_commands(commands)
        except (AiogramError, OSError) as error:
            log.warning("setMyCommands refused, going on without a command menu: %s", error)

    async def _serve_webhook(self, handle_signals: bool) -> None:
        """Updates arrive on the web app; this waits for a stop (SIGINT/SIGTERM or stop())."""
        if handle_signals:
            loop = asyncio.get_running_loop()
            for stop_signal in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(stop_signal, self._stopped.set)
        # The webhook stays set when one instance stops: the others go on serving it.
        await self._stopped.wait()

    def _reload_classifier_on_sighup(self) -> None:
        """`kill -HUP <pid>` after `python -m classifiers train --out $CLASSIFIER_MODEL_DIR/…`:
        the newest model, with the database's directory."""

        async def reload() -> None:
            try:
                version = await self.router_directory.refresh(model=True)
            except Exception:  # a bad model file: keep serving with the old router
                log.exception("classifier not reloaded")
                return
            log.info("classifier reloaded: %s", version)

        with contextlib.suppress(NotImplementedError, RuntimeError):  # not main thread / Windows
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(reload())
            )

    async def stop(self) -> None:
        self._stopped.set()
        try:
            await self.dispatcher.stop_polling()
        except RuntimeError:
            pass  # polling had not started or already stopped

    async def close(self) -> None:
        await self.web.stop()
        await self.hotline.stop()
        await self.shared.close()
        if self._polling_lease is not None:
            await self._polling_lease.release()
        await self.bot.session.close()
        await self.dispatcher.storage.close()
        await self.engine.dispose()
