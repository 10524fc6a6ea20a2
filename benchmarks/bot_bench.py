"""Updates per second through bot + emulator for /start-level handlers on SQLite, and the bot's
RSS after start-up. The bot runs as its own process (`python -m bot`), exactly as deployed.

The updates are queued in the emulator before the bot starts, so the driver pushing them does not
limit the figure; the rate is taken from the emulator's timestamps of the bot's replies."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from emulator.client import EmulatorClient
from emulator.server import start_emulator

TOKEN = "5555555555:BENCH-token-for-the-benchmark-000000"
BOT_ID = 5555555555
USERS = 3000
ROOT = Path(__file__).parents[1]


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def _start_bot(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env, cwd=ROOT)


async def _stop(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    await process.wait()


async def main() -> None:
    emulator = await start_emulator(port=0)
    with tempfile.TemporaryDirectory() as folder:
        env = dict(
            os.environ,
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE=emulator.base_url,
            DATABASE_URL=os.environ.get(
                "BENCH_DATABASE_URL", f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
            ),
            DATA_DIR=folder,
            THROTTLE_RATE="1000000",
            POLLING_TIMEOUT="10",
            LOG_LEVEL="WARNING",
        )
        importer = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "registry", "import", "samples/deputies.csv",
            env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await importer.wait()
        async with EmulatorClient(emulator.base_url, BOT_ID) as client:
            startup_s, rss_start = await _idle_start(client, env)
            cold, warm, cpu_ms, rss_peak = await _flood(client, env)
    await emulator.close()
    print("bot + emulator (SQLite, /start handler, one bot process):")
    print(f"  start-up to first getUpdates: {startup_s:.2f} s")
    print(f"  RSS after start-up:           {rss_start:.0f} MB   (target < 250 MB)")
    print(f"  updates/s, {USERS} first-time users:   {cold:.0f}   (target >= 500/s)")
    print(f"  updates/s, the same users again:     {warm:.0f}   (target >= 500/s)")
    print(f"  bot CPU per update:           {cpu_ms:.2f} ms")
    print(f"  peak RSS during the flood:    {rss_peak:.0f} MB")


async def _idle_start(client: EmulatorClient, env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    bot = await _start_bot(env)
    try:
        await client.wait_until_polling(timeout=60)
        startup_s = time.perf_counter() - started
        await asyncio.sleep(1.0)  # let start-up allocations settle
        return startup_s, _rss_mb(bot.pid)
    finally:
        await _stop(bot)


async def _flood(client: EmulatorClient, env: dict[str, str]) -> tuple[float, float, float, float]:
    """Queues /start from USERS new users, then once more from each; measures the replies."""
    users = [client.user(900_000 + index) for index in range(USERS)]
    for _ in range(2):
        for chunk in range(0, USERS, 100):
            await asyncio.gather(*(u.send_text("/start") for u in users[chunk : chunk + 100]))
    before = (await client.stats())["calls"].get("sendMessage", 0)
    bot = await _start_bot(env)
    try:
        await client.wait_until_polling(timeout=60)
        cpu_start = _cpu_seconds(bot.pid)
        while (await client.stats())["calls"].get("sendMessage", 0) < before + 2 * USERS:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        cpu_ms = (_cpu_seconds(bot.pid) - cpu_start) / (2 * USERS) * 1000
        rss_peak = _rss_mb(bot.pid, "VmHWM")
    finally:
        await _stop(bot)
    times = [r["time"] for r in await client.requests(method="sendMessage")][-2 * USERS :]
    cold = USERS / (times[USERS - 1] - times[0])
    warm = USERS / (times[-1] - times[USERS - 1])
    return cold, warm, cpu_ms, rss_peak


if __name__ == "__main__":
    asyncio.run(main())
