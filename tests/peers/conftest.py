"""Third-party peers: servers other people wrote, run as they ship (pinned, from a lock file)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port

TELEGRAM_TEST_API = Path(__file__).parent / "telegram-test-api"


def install_telegram_test_api() -> Path:
    """`npm ci` from the committed lock file unless `make peers` already did; skips only when
    Node or npm is missing (a failing install is a failing test, not a skip)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm not found: the telegram-test-api peer test needs Node 20 and npm")
    if not (TELEGRAM_TEST_API / "node_modules" / "telegram-test-api").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"],
            cwd=TELEGRAM_TEST_API,
            check=True,
            capture_output=True,
            timeout=300,
        )
    installed = json.loads(
        (TELEGRAM_TEST_API / "node_modules" / "telegram-test-api" / "package.json").read_text()
    )
    assert installed["version"] == "4.2.1", f"telegram-test-api {installed['version']} installed"
    return TELEGRAM_TEST_API


@pytest.fixture
async def telegram_test_api() -> AsyncIterator[str]:
    """telegram-test-api 4.2.1 on 127.0.0.1 (a free port); yields its base URL."""
    folder = install_telegram_test_api()
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        "node",
        "serve.js",
        str(port),
        cwd=folder,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
        if line.strip() != b"ready":
            error = await process.stderr.read() if process.stderr else b""
            raise AssertionError(f"telegram-test-api did not start: {error.decode()[-500:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stdin.close()  # serve.js stops when its stdin closes
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()
