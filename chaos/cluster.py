"""The system under test as real processes on loopback: the Bot API emulator, the reference
12345 intake (`python -m intake`), the bot's web app and jobs (`python -m bot`, callbacks and
the delivery watch; it delivers nothing itself) and two `python -m bot worker` processes, all
on PostgreSQL. Faults are what an operator would see: a process killed (-9) and started again
on the same port and database."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from benchmarks.outbox_bench import REPO_ROOT, _free_port
from bot.config import DEMO_BOT_TOKEN

SECRET = "chaos-secret"
BOT_ID = int(DEMO_BOT_TOKEN.split(":")[0])


@dataclass(frozen=True)
class Timing:
    """Time scaled down for a run of minutes: retries at most `retry_max_s` apart (so an
    outage of tens of seconds costs each message dozens of attempts, far past the old give-up
    point of 8), a deputy told after `notice_after_s`, a dead worker's lease freed after
    `lease_s`."""

    retry_hours: float = 0.1  # the retry window (OUTBOX_RETRY_HOURS), scaled: 6 minutes
    retry_max_s: float = 2.0
    notice_after_s: float = 3.0
    watch_every_s: float = 1.0
    lease_s: float = 3.0


@dataclass
class Process:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    process: asyncio.subprocess.Process | None = None
    started_at: int = 0  # the log's length when last started: what is new since

    async def start(self) -> None:
        self.started_at = len(self.log.read_text(errors="replace")) if self.log.exists() else 0
        handle = self.log.open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                *self.args,
                cwd=REPO_ROOT,
                env={**os.environ, "LOG_LEVEL": "WARNING", **self.env},
                stdout=handle,
                stderr=handle,
            )
        finally:
            handle.close()

    async def kill(self) -> None:
        """SIGKILL: no clean-up, no goodbye (what a crash or an OOM kill does)."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
        self.process = None

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                async with asyncio.timeout(20):
                    await self.process.wait()
            except TimeoutError:
                await self.kill()
        self.process = None


@dataclass
class Cluster:
    bot_db: str
    intake_db: str
    logs: Path
    timing: Timing = field(default_factory=Timing)
    emulator_port: int = field(default_factory=_free_port)
    intake_port: int = field(default_factory=_free_port)
    web_port: int = field(default_factory=_free_port)
    processes: dict[str, Process] = field(default_factory=dict)

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.emulator_port}"

    @property
    def intake_url(self) -> str:
        return f"http://127.0.0.1:{self.intake_port}"

    @property
    def callback_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/hotline/callback"

    def _define(self) -> None:
        t = self.timing
        bot_env = {
            "DATABASE_URL": self.bot_db,
            "HOTLINE_ADAPTER": "http",
            "HOTLINE_URL": self.intake_url,
            "HOTLINE_SECRET": SECRET,
            "OUTBOX_RETRY_HOURS": str(t.retry_hours),
            "OUTBOX_RETRY_MAX_SECONDS": str(t.retry_max_s),
            "OUTBOX_LEASE_SECONDS": str(t.lease_s),
            "OUTBOX_POLL_SECONDS": "0.2",
            "OUTBOX_BATCH": "25",  # small rounds: a kill lands in the middle of delivery
            "OUTBOX_CONCURRENCY": "4",
            "LOG_LEVEL": "INFO",  # a worker says when it delivers: the start is awaited
        }
        web_env = {
            **bot_env,
            "BOT_TOKEN": DEMO_BOT_TOKEN,
            "TELEGRAM_API_BASE": self.emulator_url,
            "OUTBOX_WORKER_IN_BOT": "false",  # only the two workers deliver
            "WEB_PORT": str(self.web_port),
            "OUTBOX_DELAY_NOTICE_MINUTES": str(t.notice_after_s / 60),
            "DEADLINE_WATCH_SECONDS": str(t.watch_every_s),
            "DATA_DIR": str(self.logs / "bot-data"),
        }
        intake_args = [
            "-m", "intake", "--port", str(self.intake_port), "--db", self.intake_db,
            "--secret", SECRET, "--callback-url", self.callback_url,
        ]  # fmt: skip
        emulator_args = ["-m", "emulator", "--port", str(self.emulator_port)]
        for name, args, env in (
            ("emulator", emulator_args, {}),
            ("intake", intake_args, {}),
            ("web", ["-m", "bot", "run"], web_env),
            ("worker-1", ["-m", "bot", "worker"], bot_env),
            ("worker-2", ["-m", "bot", "worker"], bot_env),
        ):
            self.processes[name] = Process(name, args, env, self.logs / f"{name}.log")

    async def start(self, *names: str) -> None:
        if not self.processes:
            self._define()
        for name in names or tuple(self.processes):
            await self.processes[name].start()
            if name == "emulator":
                await _wait_http(f"{self.emulator_url}/favicon.ico")
            elif name == "intake":
                await _wait_http(f"{self.intake_url}/api/v1/openapi.yaml")
            elif name == "web":
                await _wait_http(f"http://127.0.0.1:{self.web_port}/favicon.ico", within_s=120)
            elif name.startswith("worker"):
                await _wait_log(self.processes[name], READY)

    async def kill(self, name: str) -> None:
        await self.processes[name].kill()

    async def close(self) -> None:
        for process in reversed(list(self.processes.values())):
            await process.stop()


READY = "outbox worker delivering"


async def _wait_log(process: Process, line: str, within_s: float = 120) -> None:
    """Until the process has written `line` to its log since it was last started."""
    start = process.started_at
    async with asyncio.timeout(within_s):
        while True:  # another process writes the file: nothing to wait on but the clock
            if line in process.log.read_text(errors="replace")[start:]:
                return
            await asyncio.sleep(0.1)


async def _wait_http(url: str, within_s: float = 60) -> None:
    async with aiohttp.ClientSession() as http, asyncio.timeout(within_s):
        while True:
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
