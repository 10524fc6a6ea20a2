"""`python -m bot admin create-user USERNAME --role admin|operator|viewer [--password-stdin]`:
the first admin account is made at the terminal; the password is typed twice (never echoed)
or read from standard input for scripts."""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from bot.config import Settings
from bot.services.console.auth import ConsoleAuthError, ConsoleAuthService
from console.refusals import words
from storage.bootstrap import open_database

PASSWORDS_DIFFER = "两次输入的密码不一致，未创建账号。"


def read_password(from_stdin: bool, stdin: TextIO | None = None) -> str | None:
    if from_stdin:
        line = (stdin or sys.stdin).readline()
        return line.rstrip("\r\n") or None
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        print(PASSWORDS_DIFFER, file=sys.stderr)
        return None
    return first or None


async def create_user(settings: Settings, username: str, role: str, password: str) -> int:
    engine, uow_factory = await open_database(settings.database_url)
    try:
        async with uow_factory() as uow:
            user = await ConsoleAuthService(uow).create_user(username, password, role, actor="cli")
    except ConsoleAuthError as error:
        print(f"未创建账号：{words(error)}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"已创建后台账号 {user.username}（角色 {user.role}）。")
    return 0
