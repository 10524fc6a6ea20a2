"""App wiring: the one place where the bot, dispatcher, routers and dependencies meet."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import AiogramError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncEngine

import handlers
from bot import texts
from bot.config import Settings
from bot.fsm_storage import SqlStorage, create_fsm_storage
from bot.hotline.runtime import HotlineRuntime
from bot.hotline.telegram import chat as operator_chat
from bot.hotline.telegram.desk import OperatorDesk
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
    PerUserOrderMiddleware,
    ServicesMiddleware,
    ThrottlingMiddleware,
    UnitOfWorkMiddleware,
)
from handlers.notifier import TelegramAlerts, TelegramNotifier
from storage.bootstrap import open_database
from storage.db import create_session_factory
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


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
) -> Dispatcher:
    dispatcher = Dispatcher(storage=storage, settings=settings)
    # Order matters: throttle before queueing per user, and both before touching the database.
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
    dispatcher.message.middleware(services)
    dispatcher.callback_query.middleware(services)
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
        identities = IdentityCache()  # the console expires it after registry changes
        notifier = TelegramNotifier(bot)
        dispatcher = build_dispatcher(
            settings, uow_factory, storage, classifier, notifier, identities
        )
        chat = settings.alerts_chat_id
        alerter = TelegramAlerts(bot, chat) if chat is not None else None
        hotline = HotlineRuntime(settings, uow_factory, notifier, bot=bot, alerter=alerter)
        web_server = WebServer(settings.web_host, settings.web_port)
        hotline.add_routes(web_server)
        add_console(
            web_server.app,
            settings,
            uow_factory,
            notifier,
            wake_outbox=lambda: hotline.worker.wake() if hotline.worker else None,
            router_directory=router_directory,
            registry_changed=identities.expire,
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
        )

    async def run(self, *, handle_signals: bool = True) -> None:
        # getMe first: a wrong token or an unreachable server stops here, with one clear line.
        try:
            me = await self.bot.get_me()
        except (AiogramError, OSError) as error:
            raise BotApiUnavailable(self.settings.telegram_api_base, error) from error
        await self._startup_extras()
        keep_response_models_alive()
        # Start-up leaves ~1M long-lived objects (aiogram's pydantic models, SQLAlchemy mappers,
        # the jieba dictionary); keeping the collector off them saves CPU on every update.
        gc.collect()
        gc.freeze()
        release_freed_memory()
        await self.hotline.start()
        await self.web.start()
        self._reload_classifier_on_sighup()
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
        try:
            await self.dispatcher.stop_polling()
        except RuntimeError:
            pass  # polling had not started or already stopped

    async def close(self) -> None:
        await self.web.stop()
        await self.hotline.stop()
        await self.bot.session.close()
        await self.dispatcher.storage.close()
        await self.engine.dispose()
