"""`make demo`: the Bot API emulator with its web chat, the reference 12345 intake with its
operator console, the sample registry, and `python -m bot` polling the emulator: the whole
loop in one command, with no Telegram token."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.config import DEMO_BOT_TOKEN, Settings
from bot.services.console.auth import ConsoleAuthService, Role
from bot.services.deputies.registry import RegistryService, parse_registry
from bot.services.reporting.places import town_seats
from emulator.client import EmulatorClient
from emulator.server import start_emulator
from intake import start_intake
from storage.bootstrap import open_database
from storage.uow import UnitOfWorkFactory

SAMPLE_REGISTRY = Path(__file__).parents[1] / "samples" / "deputies.csv"
FIRST_PERSONA_ID = 100001
PLACES_PER_DISTRICT = 3
DEMO_SECRET = "local-demo-secret"  # shared by the demo's bot and intake only
# The local demo's console account; a deployment makes its own: python -m bot admin create-user
DEMO_ADMIN, DEMO_ADMIN_PASSWORD = "admin", "demo-admin-12345"
# The demo intake's console accounts (管理员: every action); a 延期 needs a second person to
# approve it, hence two. A deployment makes its own: python -m intake accounts add
DEMO_OPERATORS, DEMO_OPERATOR_PASSWORD = ("operator", "reviewer"), "demo-operator-12345"


@dataclass(frozen=True)
class DemoPorts:
    """DEMO_PORT moves every server of the demo: the web chat on it, the 12345 intake 9 above
    (8081 → 8090, the HOTLINE_URL default) and the admin console 1 below (8080, WEB_PORT's)."""

    chat: int

    @property
    def intake(self) -> int:
        return self.chat + 9

    @property
    def admin(self) -> int:
        return self.chat - 1

    def named(self) -> list[tuple[str, int]]:
        return [
            ("网页聊天", self.chat),
            ("12345 工单受理台", self.intake),
            ("管理后台", self.admin),
        ]


def busy_ports(ports: DemoPorts, host: str = "127.0.0.1") -> list[str]:
    """The demo's ports something else already listens on, named."""
    taken = []
    for name, port in ports.named():
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                taken.append(f"{name} {port}")
    return taken


def port_conflict(ports: DemoPorts, taken: list[str]) -> str:
    wanted = "、".join(f"{name} {port}" for name, port in ports.named())
    return (
        f"无法启动演示：端口已被占用（{'、'.join(taken)}）。演示需要 {wanted}。\n"
        f"请换一个端口：make demo DEMO_PORT={ports.chat + 100}"
        f"（网页聊天 {ports.chat + 100}、受理台 {ports.chat + 109}、管理后台 {ports.chat + 99}）"
    )


async def run_demo(settings: Settings, *, port: int) -> int:
    ports = DemoPorts(port)
    impossible = [f"{name} {p}" for name, p in ports.named() if not 1 <= p <= 65535]
    taken = impossible or busy_ports(ports)
    if taken:
        print(port_conflict(ports, taken), file=sys.stderr)
        return 1
    settings = settings.model_copy(update={"web_port": ports.admin})
    personas = await _load_sample_registry(settings)
    try:
        emulator = await start_emulator(port=ports.chat)
        intake = await start_intake(
            port=ports.intake,
            db_url=f"sqlite+aiosqlite:///{settings.data_dir / 'intake.sqlite3'}",
            secret=DEMO_SECRET,
            callback_url=f"http://127.0.0.1:{ports.admin}/hotline/callback",
        )
    except OSError as error:  # taken between the check and now
        print(port_conflict(ports, [str(error.strerror)]), file=sys.stderr)
        return 1
    for name in DEMO_OPERATORS:
        if await intake.accounts.by_name(name) is None:
            await intake.accounts.add(name, DEMO_OPERATOR_PASSWORD, "admin", actor="demo")
    client = EmulatorClient(emulator.base_url, bot_id=int(DEMO_BOT_TOKEN.split(":")[0]))
    await client.set_personas(personas)
    await client.set_places(demo_places())
    await client.close()
    bot = await _start_bot(settings, emulator.base_url, intake.base_url)
    print(
        "\n代表直通 12345 本地演示已启动\n"
        f"  代表端（模拟 Telegram）：{emulator.base_url}/ ，选择一位代表即可与机器人对话。\n"
        f"  12345 话务员工作台：{intake.base_url}/console/ ，受理、派单、答复代表提交的工单，"
        f"账号 {DEMO_OPERATORS[0]} ，密码 {DEMO_OPERATOR_PASSWORD}"
        f"（延期由另一账号 {DEMO_OPERATORS[1]} 审批，密码相同；仅限本地演示）。\n"
        f"  人大代表工委后台：http://127.0.0.1:{ports.admin}/admin/ ，"
        f"账号 {DEMO_ADMIN} ，密码 {DEMO_ADMIN_PASSWORD}（仅限本地演示）。\n"
        "  按 Ctrl+C 退出。\n",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    waiter = asyncio.create_task(bot.wait())
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if bot.returncode is None:
        bot.terminate()
        await bot.wait()
    stopper.cancel()
    await intake.close()
    await emulator.close()
    return 0 if stop.is_set() else (bot.returncode or 1)


def demo_places() -> list[dict[str, object]]:
    """Points the web chat offers for 发送位置: the shipped town seats, a few per district."""
    seats, _radius = town_seats()
    per_district: dict[str, int] = {}
    places: list[dict[str, object]] = []
    for seat in seats:
        if per_district.get(seat.district, 0) >= PLACES_PER_DISTRICT:
            continue
        per_district[seat.district] = per_district.get(seat.district, 0) + 1
        places.append(
            {
                "district": seat.district,
                "name": seat.town,
                # a street corner near the seat, not the seat itself
                "latitude": round(seat.latitude + 0.0004, 4),
                "longitude": round(seat.longitude - 0.0003, 4),
            }
        )
    return places


async def _load_sample_registry(settings: Settings) -> list[dict[str, object]]:
    engine, uow_factory = await open_database(settings.database_url)
    try:
        async with uow_factory() as uow:
            await RegistryService(uow).import_file(SAMPLE_REGISTRY, actor="demo")
        await _ensure_demo_admin(uow_factory)
    finally:
        await engine.dispose()
    entries, _ = parse_registry(SAMPLE_REGISTRY)
    personas: list[dict[str, object]] = [
        {
            "id": FIRST_PERSONA_ID + index,
            "name": entry.name,
            "phone": entry.phone,
            "note": f"{entry.level} · {entry.station}",
        }
        for index, entry in enumerate(entries)
    ]
    # Someone not in the registry, to see the polite refusal.
    personas.append({"id": 199999, "name": "未登记群众", "phone": "13900000000", "note": "非代表"})
    return personas


async def _ensure_demo_admin(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        if await uow.console.user_by_name(DEMO_ADMIN) is None:
            await ConsoleAuthService(uow).create_user(
                DEMO_ADMIN, DEMO_ADMIN_PASSWORD, Role.ADMIN, actor="demo"
            )


async def _start_bot(
    settings: Settings, api_base: str, hotline_url: str
) -> asyncio.subprocess.Process:
    environment = dict(os.environ)
    environment.update(
        TELEGRAM_API_BASE=api_base,
        BOT_TOKEN=DEMO_BOT_TOKEN,
        DATABASE_URL=settings.database_url,
        POLLING_TIMEOUT="10",
        HOTLINE_ADAPTER="http",
        HOTLINE_URL=hotline_url,
        HOTLINE_SECRET=DEMO_SECRET,
        WEB_PORT=str(settings.web_port),
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=environment
    )
