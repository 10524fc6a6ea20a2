"""Webhook delivery as Telegram does it: once a bot has called setWebhook, each update is
POSTed to its URL as JSON with `X-Telegram-Bot-Api-Secret-Token`; a 2xx answer confirms it,
anything else (a non-2xx, a refused connection, no answer within the timeout) leaves it
pending and it is sent again later with growing pauses, while newer updates keep going out
(up to `max_connections` at once). So a bot sees what real webhooks bring: the same update
twice (a late answer), and retries arriving after newer updates.

Deviation: plain `http://` is accepted for loopback hosts (tests and `make scale` have no
certificate); Telegram wants https on ports 443, 80, 88 or 8443."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from emulator.state import BotState, World

log = logging.getLogger(__name__)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
RETRY_FIRST_SECONDS = 0.5  # Telegram's pauses are longer; tests want to see retries soon
RETRY_MAX_SECONDS = 8.0
DELIVERY_LOG_LIMIT = 200_000


def acceptable_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in LOOPBACK


class WebhookSender:
    """One per bot with a webhook; runs until the webhook is deleted or the world closes."""

    def __init__(self, world: World, bot: BotState) -> None:
        self._world = world
        self._bot = bot
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._attempts: dict[int, int] = {}
        self._due: dict[int, float] = {}  # update id → loop time of its next attempt
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._in_flight.values()):
            task.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        self._session = aiohttp.ClientSession()
        loop = asyncio.get_running_loop()
        while self._serving():
            hook = self._bot.webhook
            assert hook is not None  # _serving() checked
            limit = int(hook.get("max_connections") or 40)
            now = loop.time()
            for update in self._pending():
                if len(self._in_flight) >= limit:
                    break
                update_id = update["update_id"]
                if update_id in self._in_flight or self._due.get(update_id, 0) > now:
                    continue
                task = asyncio.create_task(self._deliver(update, hook))
                self._in_flight[update_id] = task
                task.add_done_callback(functools.partial(self._finished, update_id))
            ahead = [t for u, t in self._due.items() if t > now and u not in self._in_flight]
            await self._world.wait_change(min([*ahead, now + 1.0]))

    def _serving(self) -> bool:
        world, bot = self._world, self._bot
        return not world.closed and bot.webhook is not None and world.bots.get(bot.bot_id) is bot

    def _pending(self) -> list[dict[str, Any]]:
        allowed = (self._bot.webhook or {}).get("allowed_updates")
        if allowed:
            # Telegram never keeps updates of types the bot opted out of.
            keep = set(allowed)
            self._bot.updates = [u for u in self._bot.updates if (set(u) - {"update_id"}) & keep]
        return list(self._bot.updates)

    def _finished(self, update_id: int, _task: object) -> None:
        self._in_flight.pop(update_id, None)
        self._world.notify()  # a slot is free

    async def _deliver(self, update: dict[str, Any], hook: dict[str, Any]) -> None:
        update_id = update["update_id"]
        attempt = self._attempts.get(update_id, 0) + 1
        self._attempts[update_id] = attempt
        headers = {}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        timeout = aiohttp.ClientTimeout(total=self._world.webhook_timeout)
        started = time.time()
        error: str | None = None
        assert self._session is not None
        try:
            async with self._session.post(
                hook["url"], json=update, headers=headers, timeout=timeout
            ) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    error = f"Wrong response from the webhook: {response.status}"
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientError as exc:
            error = f"Connection failed: {type(exc).__name__}"
        self._record(update_id, attempt, started, error)
        if error is None:
            self._bot.updates = [u for u in self._bot.updates if u["update_id"] != update_id]
            self._attempts.pop(update_id, None)
            self._due.pop(update_id, None)
            return
        hook["last_error_date"] = int(time.time())
        hook["last_error_message"] = error
        pause = min(RETRY_FIRST_SECONDS * 2 ** (attempt - 1), RETRY_MAX_SECONDS)
        self._due[update_id] = asyncio.get_running_loop().time() + pause

    def _record(self, update_id: int, attempt: int, started: float, error: str | None) -> None:
        log_ = self._bot.webhook_deliveries
        log_.append(
            {
                "update_id": update_id,
                "attempt": attempt,
                "started": started,
                "seconds": round(time.time() - started, 4),
                "ok": error is None,
                "error": error,
            }
        )
        if len(log_) > DELIVERY_LOG_LIMIT:
            del log_[: len(log_) - DELIVERY_LOG_LIMIT]


async def set_sender(world: World, bot: BotState) -> None:
    """(Re)start delivery after setWebhook; stop it after deleteWebhook."""
    sender = world.webhook_senders.pop(bot.bot_id, None)
    if bot.webhook is None:
        if sender is not None:
            await sender.stop()
        return
    if sender is None:
        sender = WebhookSender(world, bot)
    world.webhook_senders[bot.bot_id] = sender
    sender.start()


async def stop_all(world: World) -> None:
    for sender in list(world.webhook_senders.values()):
        await sender.stop()
    world.webhook_senders.clear()
