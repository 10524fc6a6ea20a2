"""Assembles the aiohttp app and runs it (in-process for tests/the demo, or via __main__)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from intake import api, console, console_auth, open311
from intake.callbacks import CallbackDispatcher
from intake.context import CTX, Context, Settings
from intake.db import open_engine
from intake.departments import load_departments
from intake.open311_quirks import Open311Quirks
from intake.operators import OperatorAccounts, OperatorPolicy
from intake.store import TicketStore
from intake.tokens import Open311Tokens

MAX_BODY = 64 * 1024 * 1024  # up to 9 photos of 10 MB, base64-encoded


def default_media_dir(db_url: str) -> Path:
    """Photos live next to the SQLite file: ./data/intake.sqlite3 → ./data/intake_media/."""
    database = make_url(db_url).database
    if database and database != ":memory:":
        path = Path(database)
        return path.with_name(f"{path.stem}_media")
    return Path("data") / "intake_media"


async def _root(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/console/")


def build_app(ctx: Context) -> web.Application:
    app = web.Application(
        middlewares=[
            open311.error_middleware,
            api.error_middleware,
            api.signature_middleware,
            console_auth.session_middleware,
        ],
        client_max_size=MAX_BODY,  # read at build time, so a test can lower it
    )
    app[CTX] = ctx
    app.router.add_get("/", _root)
    api.setup(app)
    open311.setup(app)
    console.setup(app)
    return app


@dataclass
class RunningIntake:
    base_url: str
    app: web.Application
    runner: web.AppRunner
    engine: AsyncEngine
    dispatcher: CallbackDispatcher | None

    @property
    def store(self) -> TicketStore:
        return self.app[CTX].store

    @property
    def accounts(self) -> OperatorAccounts:
        return self.app[CTX].accounts

    async def close(self) -> None:
        if self.dispatcher is not None:
            await self.dispatcher.close()
        await self.runner.cleanup()
        await self.engine.dispose()


async def start_intake(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    db_url: str,
    secret: str,
    callback_url: str | None,
    open311_api_key: str | None = None,
    departments: list[dict[str, Any]] | None = None,
    departments_file: str | Path | None = None,
    media_dir: str | Path | None = None,
    open311_mode: str = "token",
    open311_token_delay_s: float = 0.0,
    open311_quirks: Open311Quirks | None = None,
    callback_backoff_base_s: float = 1.0,
    callback_backoff_max_s: float = 300.0,
    callback_max_attempts: int = 15,
    callback_timeout_s: float = 10.0,
    operator_policy: OperatorPolicy | None = None,
    open311_open: bool = False,
) -> RunningIntake:
    """Start the server on host:port (0 = a free port); callbacks start delivering at once."""
    if not secret:
        raise ValueError("a shared secret is required (HOTLINE_SECRET)")
    if open311_mode not in ("token", "direct"):
        raise ValueError("open311_mode must be 'token' or 'direct'")
    engine = await open_engine(db_url)
    directory = load_departments(departments_file, departments)
    media = Path(media_dir) if media_dir else default_media_dir(db_url)
    media.mkdir(parents=True, exist_ok=True)
    store = TicketStore(engine, directory, media, callbacks_enabled=bool(callback_url))
    dispatcher = None
    if callback_url:
        dispatcher = CallbackDispatcher(
            engine,
            store.write_lock,
            url=callback_url,
            secret=secret,
            backoff_base_s=callback_backoff_base_s,
            backoff_max_s=callback_backoff_max_s,
            max_attempts=callback_max_attempts,
            timeout_s=callback_timeout_s,
        )
        store.set_on_enqueue(dispatcher.wake)
    settings = Settings(
        secret=secret,
        callback_url=callback_url,
        open311_api_key=open311_api_key,
        open311_mode=open311_mode,
        open311_token_delay_s=open311_token_delay_s,
        open311_quirks=open311_quirks or Open311Quirks(),
        open311_open=open311_open,
    )
    tokens = Open311Tokens(engine, store.write_lock)
    accounts = OperatorAccounts(engine, store.write_lock, operator_policy)
    context = Context(settings, store, tokens, directory, media, accounts)
    app = build_app(context)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    if dispatcher is not None:
        await dispatcher.start()  # picks up rows left undelivered by an earlier run
    return RunningIntake(
        base_url=f"http://{bound_host}:{bound_port}",
        app=app,
        runner=runner,
        engine=engine,
        dispatcher=dispatcher,
    )
