"""Webhook mode (WEBHOOK_URL + WEBHOOK_SECRET): Telegram POSTs updates to the bot's web app, so
any number of instances behind a balancer share one bot token.

aiogram's `SimpleRequestHandler` checks `X-Telegram-Bot-Api-Secret-Token` (401 without the
right one) and feeds the update to the dispatcher; the answer waits for the handling (so an
instance killed mid-update makes Telegram send it again, to another instance) but never past
WEBHOOK_ANSWER_SECONDS: a slow update then goes on after the 200, before Telegram's own
timeout would send a duplicate. A body that is not an update is a 400, never a 5xx."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError

from bot.config import Settings

log = logging.getLogger(__name__)


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


class UpdateRequestHandler(SimpleRequestHandler):
    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            raw: Any = json.loads(await request.read())
            if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
                raise ValueError("not an Update object")
            # Validated here so a malformed update is refused (400) rather than crashing (500).
            update = Update.model_validate(raw, context={"bot": bot})
        except (ValueError, ValidationError, RecursionError) as error:
            return web.json_response({"ok": False, "error": str(error)[:300]}, status=400)
        result: Any = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))


def add_webhook(app: web.Application, dispatcher: Dispatcher, bot: Bot, settings: Settings) -> str:
    """Routes the webhook path of WEBHOOK_URL to the dispatcher; returns that path."""
    assert settings.webhook_url and settings.webhook_secret  # Settings checks they come as two
    handler = UpdateRequestHandler(
        dispatcher,
        bot,
        handle_in_background=False,
        secret_token=settings.webhook_secret.get_secret_value(),
        _timeout=settings.webhook_answer_seconds,
    )
    path = webhook_path(settings.webhook_url)
    # Not handler.register(): that closes the bot's session on shutdown, which the notifier
    # and the hotline still use while they stop.
    app.router.add_post(path, handler.handle)
    setup_application(app, dispatcher, bot=bot)
    return path


async def set_webhook(bot: Bot, dispatcher: Dispatcher, settings: Settings) -> None:
    """Idempotent: every instance sets the same URL, secret and update types at start."""
    assert settings.webhook_url and settings.webhook_secret
    await bot.set_webhook(
        settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=dispatcher.resolve_used_update_types(),
        max_connections=settings.webhook_max_connections,
    )
    log.info("webhook set: %s", settings.webhook_url)
