"""A bad setting ends every `python -m bot` command with one line naming the variable, its
value and what is allowed, and exit code 2: never a pydantic traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

ROOT = Path(__file__).parents[2]
COMMANDS = [
    [],
    ["run"],
    ["worker"],
    ["db", "upgrade"],
    ["registry", "import", "deputies.csv"],
    ["registry", "export", "out.xlsx"],
    ["classifier", "export-corrections", "out.jsonl"],
    ["classifier", "export-directory", "out.json"],
    ["admin", "create-user", "wang", "--password-stdin"],
    ["demo"],
]


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OPEN311")}
    environment.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,  # no .env there
        env={**environment, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        input="",
        timeout=60,
    )


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "default")
def test_every_command_names_the_bad_setting_in_one_line(args: list[str], tmp_path: Path) -> None:
    done = _run(args, tmp_path, OPEN311_POLL_SECONDS="1")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "ValidationError" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "设置错误：OPEN311_POLL_SECONDS=1 不可用，允许的值：≥ 5 的整数（见 .env.example）"
    ]
    assert not (tmp_path / "x.sqlite3").exists()  # refused before touching anything


def test_each_bad_setting_gets_its_own_line_and_secrets_stay_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOTLINE_ADAPTER", "smtp")
    monkeypatch.setenv("POLLING_TIMEOUT", "abc")
    monkeypatch.setenv("OPERATORS_CHAT_ID", "42")
    monkeypatch.setenv("OUTBOX_WORKER_IN_BOT", "maybe")
    monkeypatch.setenv("HOTLINE_SECRET", "")  # fine: an empty secret is still a string
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)
    assert caught.value.lines == [
        "设置错误：POLLING_TIMEOUT=abc 不可用，允许的值：≥ 0、≤ 50 的整数（见 .env.example）",
        "设置错误：HOTLINE_ADAPTER=smtp 不可用，允许的值：http、open311、telegram 之一"
        "（见 .env.example）",
        "设置错误：OPERATORS_CHAT_ID=42 不可用，允许的值：< 0 的整数（见 .env.example）",
        "设置错误：OUTBOX_WORKER_IN_BOT=maybe 不可用，允许的值：true 或 false（见 .env.example）",
    ]
