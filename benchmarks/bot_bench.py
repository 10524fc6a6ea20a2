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
                cold = await _measure(client, users=UPDATES, rounds=1, first_id=900_000)
                warm = await _measure(client, users=UPDATES // 10, rounds=10, first_id=800_000)
                bot_cpu_ms = (_cpu_seconds(bot.pid) - cpu_before) / (2 * UPDATES) * 1000
                rss_peak = _rss_mb(bot.pid, "VmHWM")
            finally:
                bot.terminate()
                await bot.wait()
    await emulator.close()
    print("bot + emulator (SQLite, /start handler, one bot process):")
    print(f"  start-up to first getUpdates: {startup_s:.2f} s")
    print(f"  RSS after start-up:           {rss_start:.0f} MB   (target < 250 MB)")
    print(f"  updates/s, {UPDATES} first-time users:      {cold:.0f}   (target >= 500/s)")
    print(f"  updates/s, {UPDATES // 10} users x 10 updates each: {warm:.0f}   (target >= 500/s)")
    print(f"  bot CPU per update:           {bot_cpu_ms:.2f} ms")
    print(f"  peak RSS during the run:      {rss_peak:.0f} MB")


async def _measure(client: EmulatorClient, *, users: int, rounds: int, first_id: int) -> float:
    """Pushes /start from `users` distinct users, `rounds` each; time until every reply is sent."""
    people = [client.user(first_id + index) for index in range(users)]
    before = (await client.stats())["calls"].get("sendMessage", 0)
    expected = before + users * rounds
    began = time.perf_counter()
    for _ in range(rounds):
        for chunk in range(0, users, 100):
            await asyncio.gather(*(p.send_text("/start") for p in people[chunk : chunk + 100]))
    while True:
        sent = (await client.stats())["calls"].get("sendMessage", 0)
        if sent >= expected:
            break
        if time.perf_counter() - began > 120:
            raise RuntimeError(f"only {sent - before} of {users * rounds} replies after 120 s")
        await asyncio.sleep(0.05)
    return users * rounds / (time.perf_counter() - began)


if __name__ == "__main__":
    asyncio.run(main())
