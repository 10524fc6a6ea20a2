"""The emulator's webhooks behave as Telegram's: updates POSTed with the secret header, a
non-2xx or a late answer retried (so the receiver sees duplicates and retries arriving after
newer updates), getUpdates refused while a webhook is set, deleteWebhook back to polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiohttp import web

from emulator.client import EmulatorClient


class Receiver:
    """A webhook endpoint on loopback that answers as told: `statuses` for the first calls
    (then 200), `delay` seconds before answering the first call."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0) -> None:
        self.statuses = list(statuses or [])
        self.delay = delay
        self.received: list[tuple[int, str | None]] = []  # (update_id, secret header)
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        update: dict[str, Any] = await request.json()
        self.received.append(
            (update["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        if len(self.received) == 1 and self.delay:
            await asyncio.sleep(self.delay)
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status)


@pytest.fixture
async def serve() -> AsyncIterator[Any]:
    runners: list[web.AppRunner] = []

    async def start(receiver: Receiver) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", receiver.handle)
        runner = web.AppRunner(app, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        return receiver

    yield start
    for runner in runners:
        await runner.cleanup()


async def until(check: Any, seconds: float = 10.0) -> None:
    for _ in range(int(seconds * 20)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_updates_are_posted_with_the_secret_and_polling_is_refused(
    bot: Bot, client: EmulatorClient, serve: Any
) -> None:
    receiver = await serve(Receiver())
    assert await bot.set_webhook(receiver.url, secret_token="s3cret")
    user = client.user(77)
    await user.send_text("一")
    await user.send_text("二")
    await until(lambda: len(receiver.received) == 2)
    assert [secret for _, secret in receiver.received] == ["s3cret", "s3cret"]
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0
    with pytest.raises(TelegramConflictError):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    await user.send_text("三")
    updates = await bot.get_updates(timeout=1)
    assert [u.message.text for u in updates if u.message] == ["三"]


async def test_a_refused_delivery_is_retried_after_newer_updates(
    bot: Bot, client: EmulatorClient, serve: Any
) -> None:
    receiver = await serve(Receiver(statuses=[500]))
    await bot.set_webhook(receiver.url, secret_token="s3cret")
    user = client.user(78)
    await user.send_text("一")
    await until(lambda: len(receiver.received) == 1)
    await user.send_text("二")
    await until(lambda: len(receiver.received) == 3)
    first, second, third = (update_id for update_id, _ in receiver.received)
    assert first == third and second > first  # the retry came after the newer update
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500"
    deliveries = await client.webhook_deliveries()
    assert [(d["attempt"], d["ok"]) for d in deliveries if d["update_id"] == first] == [
        (1, False),
        (2, True),
    ]


async def test_a_late_answer_makes_a_duplicate(
    bot: Bot, client: EmulatorClient, serve: Any
) -> None:
    await client.set_webhook_timeout(0.3)
    receiver = await serve(Receiver(delay=1.0))
    await bot.set_webhook(receiver.url)
    await client.user(79).send_text("一")
    await until(lambda: len(receiver.received) == 2)
    assert receiver.received[0][0] == receiver.received[1][0]  # the same update, twice
    assert receiver.received[0][1] is None  # no secret_token set, no header


async def test_plain_http_is_only_for_loopback(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="HTTPS URL"):
        await bot.set_webhook("http://bot.example.com/hook")
    with pytest.raises(TelegramBadRequest, match="secret token"):
        await bot.set_webhook("https://bot.example.com/hook", secret_token="has space")
