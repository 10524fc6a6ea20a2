"""Updates per second through bot + emulator for /start-level handlers on SQLite, and the bot's
RSS after start-up. The bot runs as its own process (`python -m bot`), exactly as deployed."""

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
UPDATES = 3000
ROOT = Path(__file__).parents[1]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _run(*args: str, env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(sys.executable, *args, env=env, cwd=ROOT)
    if await process.wait() != 0:
        raise RuntimeError(f"{args} failed")


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
            THROTTLE_RATE="1000000",
            POLLING_TIMEOUT="10",
            LOG_LEVEL="WARNING",
        )
        await _run("-m", "bot", "registry", "import", "samples/deputies.csv", env=env)
        started = time.perf_counter()
        bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env, cwd=ROOT)
        async with EmulatorClient(emulator.base_url, BOT_ID) as client:
            try:
                await client.wait_until_polling(timeout=60)
                startup_s = time.perf_counter() - started
                await asyncio.sleep(0.5)  # let start-up allocations settle
                rss_start = _rss_mb(bot.pid)
                cpu_before = _cpu_seconds(bot.pid)
                rate = await _measure(client)
                bot_cpu_ms = (_cpu_seconds(bot.pid) - cpu_before) / UPDATES * 1000
                rss_peak = _rss_mb(bot.pid, "VmHWM")
            finally:
                bot.terminate()
                await bot.wait()
    await emulator.close()
    print("bot + emulator (SQLite, /start handler, one bot process):")
    print(f"  start-up to first getUpdates: {startup_s:.2f} s")
    print(f"  RSS after start-up:           {rss_start:.0f} MB   (target < 250 MB)")
    print(f"  updates/s (/start, {UPDATES} users): {rate:.0f}   (target >= 500/s)")
    print(f"  bot CPU per update:           {bot_cpu_ms:.2f} ms")
    print(f"  peak RSS during the run:      {rss_peak:.0f} MB")


async def _measure(client: EmulatorClient) -> float:
    """Pushes UPDATES /start messages from distinct users; time until every reply was sent."""
    users = [client.user(900_000 + index) for index in range(UPDATES)]
    began = time.perf_counter()
    for chunk in range(0, UPDATES, 100):
        await asyncio.gather(*(user.send_text("/start") for user in users[chunk : chunk + 100]))
    while True:
        sent = (await client.stats())["calls"].get("sendMessage", 0)
        if sent >= UPDATES:
            break
        if time.perf_counter() - began > 120:
            raise RuntimeError(f"only {sent} of {UPDATES} replies after 120 s")
        await asyncio.sleep(0.2)
    return UPDATES / (time.perf_counter() - began)


if __name__ == "__main__":
    asyncio.run(main())
