"""The admin web console (人大代表工委 后台) at /admin/ on the bot's web app: sign-in with roles,
the routing decision log, the triage queue, the directories and the dead letters.

Pages are thin: they parse the form, call one transport-free service in bot/services/, and
render a template. See console/README.md for how to add a page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from aiohttp import web

from bot.config import Settings
from bot.services.console.auth import AuthPolicy
from bot.services.notices import Notifier
from bot.services.routing.directory import RouterDirectory
from storage.uow import UnitOfWorkFactory


def policy_from(settings: Settings) -> AuthPolicy:
    return AuthPolicy(
        session_lifetime=timedelta(hours=settings.console_session_hours),
        max_failed_logins=settings.console_login_attempts,
        lockout=timedelta(minutes=settings.console_lockout_minutes),
    )


def add_routes(
    app: web.Application,
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    notifier: Notifier,
    *,
    wake_outbox: Callable[[], None] = lambda: None,
    router_directory: RouterDirectory | None = None,
    registry_changed: Callable[[], None] = lambda: None,
) -> None:
    """Mounts the console on the bot's web app (called once from bot/app.py). With
    ``router_directory``, department edits take effect in the running router at once;
    ``registry_changed`` is called after deputies are deactivated, unbound or imported."""
    from console.app import mount
    from console.context import ConsoleContext

    mount(
        app,
        ConsoleContext(
            uow_factory=uow_factory,
            notifier=notifier,
            policy=policy_from(settings),
            cookie_secure=settings.console_cookie_secure,
            wake_outbox=wake_outbox,
            router_directory=router_directory,
            registry_changed=registry_changed,
            outage_after=timedelta(minutes=settings.outbox_delay_notice_minutes),
        ),
    )
