"""Two bot instances in webhook mode behind a round-robin balancer, sharing PostgreSQL and
Redis: an album split between them lands in one draft, an update given to both is answered
once, console edits reach the other instance's caches; and the checks that need Redis: a
second polling instance is refused, /readyz turns unready when Redis is unreachable."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot import texts
from bot.app import Application
from bot.ops.shared import SecondPollerError
from bot.services.deputies.admin import DeputyAdminService
from bot.services.deputies.registry import RegistryService
from classifiers import RouterHolder
from emulator.client import EmulatorClient
from emulator.server import RunningEmulator
from tests.e2e.conftest import SAMPLE_REGISTRY, free_port, make_settings
from tests.e2e.reporting import WAGE_ARREARS, jpeg_with_exif, to_preview, verified
from tests.ops.balancer import RoundRobin

SECRET = "two-instances-secret"
PATH = "/telegram/webhook"
REDIS_URL = "redis://127.0.0.1:6379/0"

Start = Callable[..., Awaitable[Application]]


@pytest.fixture
async def redis_url() -> str:
    import redis.asyncio as redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
def token() -> str:
    """A bot of its own per test: its Redis keys (FSM, locks, leases) are its own too."""
    return f"{random.randrange(10**9, 10**10)}:TEST-instances-token-0000000000"


@pytest.fixture
async def client(emulator: RunningEmulator, token: str) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.base_url, int(token.split(":")[0])) as emulator_client:
        yield emulator_client


@pytest.fixture
async def start(
    emulator: RunningEmulator, classifier: RouterHolder, tmp_path: Path, token: str
) -> AsyncIterator[Start]:
    running: list[tuple[Application, asyncio.Task[None]]] = []

    async def start_one(url: str, *, run: bool = True, **overrides: object) -> Application:
        settings = make_settings(
            emulator,
            url,
            bot_token=SecretStr(token),
            data_dir=tmp_path / "data",  # shared, as docs/operations.md asks
            instance_name=f"instance-{len(running) + 1}",
            **overrides,
        )
        app = await Application.create(settings, classifier=classifier)
        task = asyncio.create_task(app.run(handle_signals=False) if run else asyncio.sleep(0))
        running.append((app, task))
        return app

    yield start_one
    for app, task in running:
        await app.stop()
        await asyncio.wait_for(task, timeout=10)
        await app.close()


@pytest.fixture
async def pair(
    start: Start, postgres_url: str, redis_url: str, client: EmulatorClient
) -> AsyncIterator[tuple[Application, Application, RoundRobin]]:
    ports = [free_port(), free_port()]
    balancer = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
    url = await balancer.start(PATH)
    hooks = {"webhook_url": url, "webhook_secret": SecretStr(SECRET), "redis_url": redis_url}
    first = await start(postgres_url, web_port=ports[0], **hooks)
    async with first.uow_factory() as uow:
        await RegistryService(uow).import_file(SAMPLE_REGISTRY, actor="test")
    second = await start(postgres_url, web_port=ports[1], **hooks)
    await client.wait_until_webhook()
    for app in (first, second):
        for _ in range(100):
            if app.web.port is not None:
                break
            await asyncio.sleep(0.05)
    yield first, second, balancer
    await balancer.close()


async def test_an_album_split_across_two_instances_lands_in_one_draft(
    pair: tuple[Application, Application, RoundRobin], client: EmulatorClient
) -> None:
    first, _, balancer = pair
    deputy = await verified(client, 6001)
    photos = [jpeg_with_exif() for _ in range(4)]
    preview = await to_preview(deputy, WAGE_ARREARS, photos=photos)
    album = [(i, u) for i, u in balancer.routed if (u.get("message") or {}).get("media_group_id")]
    assert len(album) == 4 and {i for i, _ in album} == {0, 1}  # both instances had a share
    await deputy.press_button(preview, "确认提交")
    receipt = (await deputy.next_message())["text"]
    number = receipt.split("编号 ")[1].split()[0]
    async with first.uow_factory() as uow:
        report = await uow.reports.by_number(number)
        assert report is not None
        assert len(await uow.reports.photos(report.id)) == 4


async def test_an_update_given_to_both_instances_is_answered_once(
    pair: tuple[Application, Application, RoundRobin], client: EmulatorClient
) -> None:
    first, second, _ = pair
    user = client.user(6002)
    await user.send_text("/start")  # the emulator knows the chat from now on
    await user.next_message()
    update = {
        "update_id": 990_000_001,
        "message": {
            "message_id": 990,
            "date": 1_764_000_000,
            "chat": {"id": 6002, "type": "private", "first_name": "测试"},
            "from": {"id": 6002, "is_bot": False, "first_name": "测试"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as session:

        async def deliver(app: Application) -> int:
            url = f"http://127.0.0.1:{app.web.port}{PATH}"
            async with session.post(url, json=update, headers=headers) as response:
                return response.status

        assert await asyncio.gather(deliver(first), deliver(second)) == [200, 200]
    assert [e["kind"] for e in await user.drain(1.0)] == ["message"]


async def test_a_deactivation_on_one_instance_reaches_the_other(
    pair: tuple[Application, Application, RoundRobin], client: EmulatorClient
) -> None:
    first, _, _ = pair
    deputy = await verified(client, 6003)
    for _ in range(2):  # both instances now know the deputy as verified (their caches)
        await deputy.send_text("/my")
        assert texts.CONTACT_INACTIVE not in (await deputy.next_message())["text"]
    async with first.uow_factory() as uow:
        found = await uow.deputies.by_telegram_id(6003)
        assert found is not None
        await DeputyAdminService(uow).deactivate(found.id, actor="test")
    first.registry_changed()  # what the console does after 停用
    await asyncio.sleep(0.5)
    for _ in range(2):  # whichever instance answers, it knows
        await deputy.send_text("/my")
        assert texts.CONTACT_INACTIVE in (await deputy.next_message())["text"]


async def test_a_second_polling_instance_is_refused(
    start: Start, sqlite_url: str, redis_url: str, client: EmulatorClient
) -> None:
    await start(sqlite_url, redis_url=redis_url)
    await client.wait_until_polling()
    second = await start(sqlite_url, redis_url=redis_url, run=False)
    with pytest.raises(SecondPollerError, match=r"instance-1.*WEBHOOK_URL"):
        await second.run(handle_signals=False)


async def test_readyz_is_unready_while_redis_is_unreachable(start: Start, sqlite_url: str) -> None:
    closed = free_port()  # nothing listens there
    app = await start(
        sqlite_url,
        run=False,
        redis_url=f"redis://127.0.0.1:{closed}/0",
        web_port=free_port(),
        webhook_url=f"http://127.0.0.1:1{PATH}",
        webhook_secret=SecretStr(SECRET),
    )
    await app.web.start()
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{app.web.port}/readyz") as response:
            assert response.status == 503
            body = await response.json()
        async with session.get(f"http://127.0.0.1:{app.web.port}/healthz") as response:
            assert response.status == 200  # alive all the same: no restart for a Redis outage
    assert body["status"] == "unready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("failed: ")
