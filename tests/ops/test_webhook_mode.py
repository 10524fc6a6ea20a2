"""Webhook mode on one instance (SQLite): the emulator POSTs updates to the bot's web app with
the secret header; requests without it are refused, a second delivery is handled once, and the
operations endpoints answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import Application
from bot.services.deputies.registry import RegistryService
from classifiers import RouterHolder
from emulator.client import EmulatorClient
from emulator.server import RunningEmulator
from tests.e2e.conftest import SAMPLE_REGISTRY, free_port, make_settings

SECRET = "webhook-secret_0123"
PATH = "/telegram/webhook"


@pytest.fixture
async def hooked(
    emulator: RunningEmulator,
    client: EmulatorClient,
    sqlite_url: str,
    classifier: RouterHolder,
    tmp_path: Path,
) -> AsyncIterator[tuple[Application, str]]:
    """The bot in webhook mode: (app, its web app's base URL)."""
    port = free_port()
    settings = make_settings(
        emulator,
        sqlite_url,
        data_dir=tmp_path / "data",
        web_port=port,
        webhook_url=f"http://127.0.0.1:{port}{PATH}",
        webhook_secret=SecretStr(SECRET),
    )
    app = await Application.create(settings, classifier=classifier)
    async with app.uow_factory() as uow:
        await RegistryService(uow).import_file(SAMPLE_REGISTRY, actor="test")
    task = asyncio.create_task(app.run(handle_signals=False))
    await client.wait_until_webhook()
    yield app, f"http://127.0.0.1:{port}"
    await app.stop()
    await asyncio.wait_for(task, timeout=10)
    await app.close()


def _update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "测试"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 100_000,
            "date": 1_764_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "测试"},
            "from": user,
            "text": text,
            **({"entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
               if text.startswith("/start") else {}),
        },
    }  # fmt: skip


async def _post(base: str, body: Any, secret: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with aiohttp.ClientSession() as session:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        async with session.post(base + PATH, data=data, headers=headers) as response:
            return response.status, await response.text()


async def test_the_conversation_runs_over_the_webhook_and_polling_is_refused(
    hooked: tuple[Application, str], client: EmulatorClient, emulator: RunningEmulator
) -> None:
    zhou = client.user(5101, "志强")
    await zhou.send_text("/start")
    assert "分享您在代表信息库登记的手机号" in (await zhou.next_message())["text"]
    await zhou.send_contact("13807390003")
    assert "周志强" in (await zhou.next_message())["text"]
    deliveries = await client.webhook_deliveries()
    assert len(deliveries) == 2 and all(d["ok"] for d in deliveries)
    async with aiohttp.ClientSession() as session:
        base = f"{emulator.base_url}/bot{hooked[0].settings.token()}"
        async with session.post(f"{base}/getWebhookInfo") as response:
            info = (await response.json())["result"]
        async with session.post(f"{base}/getUpdates") as response:
            assert response.status == 409  # as Telegram: no polling while a webhook is set
    assert info["url"].endswith(PATH)
    assert set(info["allowed_updates"]) >= {"message", "callback_query"}
    assert info["pending_update_count"] == 0


async def test_requests_without_the_right_secret_are_refused(
    hooked: tuple[Application, str], client: EmulatorClient
) -> None:
    _, base = hooked
    update = _update(900_000_001, 5102, "/start")
    assert (await _post(base, update, None))[0] == 401
    assert (await _post(base, update, "wrong-secret"))[0] == 401
    assert (await _post(base, b"{not json", SECRET))[0] == 400
    assert (await _post(base, {"no": "update"}, SECRET))[0] == 400
    assert await client.user(5102).drain(0.5) == []  # none of them reached the dispatcher


async def test_the_same_update_delivered_twice_is_answered_once(
    hooked: tuple[Application, str], client: EmulatorClient
) -> None:
    _, base = hooked
    user = client.user(5103)
    await user.send_text("/start")  # the emulator now knows the chat
    await user.next_message()
    update = _update(900_000_002, 5103, "/start")
    first, second = await asyncio.gather(_post(base, update, SECRET), _post(base, update, SECRET))
    assert first[0] == second[0] == 200
    assert (await _post(base, update, SECRET))[0] == 200  # and a late third one
    events = await user.drain(1.0)
    assert [e["kind"] for e in events] == ["message"]


async def test_health_readiness_and_metrics_that_move(
    hooked: tuple[Application, str], client: EmulatorClient
) -> None:
    _, base = hooked
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/healthz") as response:
            assert response.status == 200
        async with session.get(base + "/readyz") as response:
            assert response.status == 200
            assert (await response.json())["checks"] == {"database": "ok"}

        async def handled() -> float:
            async with session.get(base + "/metrics") as response:
                assert response.status == 200
                text = await response.text()
            assert "outbox_queue_depth" in text
            return sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("bot_updates_total{")
                and 'handler="deputies.verification.' in line
            )

        before = await handled()
        user = client.user(5104)
        await user.send_text("/start")
        await user.next_message()
        await asyncio.sleep(0.2)
        assert await handled() == before + 1
