"""What every console handler can reach: the shared context (an `AppKey`) and, per request,
the unit of work and the signed-in person (set by the middlewares in `console.security`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from aiohttp import web

from bot.services.console.auth import AuthPolicy, ConsoleIdentity
from bot.services.notices import Notifier
from bot.services.routing.directory import RouterDirectory
from storage.uow import UnitOfWork, UnitOfWorkFactory

PREFIX = "/admin"  # the console's path on the bot's web app
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class ConsoleContext:
    uow_factory: UnitOfWorkFactory
    notifier: Notifier  # tells deputies about admin actions (the bot's TelegramNotifier)
    policy: AuthPolicy = field(default_factory=AuthPolicy)
    cookie_secure: bool = False
    # Called after a change queued an outbox message (wakes an in-process worker at once).
    wake_outbox: Callable[[], None] = lambda: None
    # The running router's directory: refreshed after a department edit (None: no router here).
    router_directory: RouterDirectory | None = None
    # Deputies deactivated, unbound or imported: the bot's identity cache must forget them now.
    registry_changed: Callable[[], None] = lambda: None
    # Messages failing this long mean the hotline is down (OUTBOX_DELAY_NOTICE_MINUTES).
    outage_after: timedelta = timedelta(minutes=5)


CONSOLE = web.AppKey("console", ConsoleContext)

_UOW = "console.uow"
_IDENTITY = "console.identity"


def context(request: web.Request) -> ConsoleContext:
    return request.config_dict[CONSOLE]


def uow(request: web.Request) -> UnitOfWork:
    """The request's unit of work (opened by the middleware, closed after the response)."""
    found: UnitOfWork = request[_UOW]
    return found


def set_uow(request: web.Request, unit: UnitOfWork) -> None:
    request[_UOW] = unit


def identity(request: web.Request) -> ConsoleIdentity:
    """The signed-in person; every page but the login page has one."""
    found: ConsoleIdentity = request[_IDENTITY]
    return found


def maybe_identity(request: web.Request) -> ConsoleIdentity | None:
    found: ConsoleIdentity | None = request.get(_IDENTITY)
    return found


def set_identity(request: web.Request, who: ConsoleIdentity) -> None:
    request[_IDENTITY] = who
