"""``python -m intake accounts add|list|unlock``: operator accounts made at the terminal (the
first 管理员 too). The password is typed twice (never echoed) or read from standard input
for scripts (--password-stdin)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import sys
from typing import TextIO

from intake import roles
from intake.db import db_url_for, open_engine
from intake.operators import AccountError, OperatorAccounts

PASSWORDS_DIFFER = "两次输入的密码不一致，未创建账号。"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m intake accounts", description="受理台操作员账号"
    )
    parser.add_argument("--db", default=os.environ.get("INTAKE_DB", "./data/intake.sqlite3"))
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="创建账号")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="话务员 | 派单员 | 管理员 (or call_taker …)")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    commands.add_parser("list", help="列出账号")
    unlock = commands.add_parser("unlock", help="解除锁定")
    unlock.add_argument("username")
    return parser


def read_password(from_stdin: bool, stdin: TextIO | None = None) -> str | None:
    if from_stdin:
        return (stdin or sys.stdin).readline().rstrip("\r\n") or None
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        print(PASSWORDS_DIFFER, file=sys.stderr)
        return None
    return first or None


async def run(args: argparse.Namespace, password: str | None = None) -> int:
    engine = await open_engine(db_url_for(args.db))
    accounts = OperatorAccounts(engine, contextlib.nullcontext())
    try:
        if args.command == "add":
            if password is None:
                print("未创建账号：密码为空。", file=sys.stderr)
                return 1
            row = await accounts.add(args.username, password, args.role, actor="cli")
            print(f"已创建受理台账号 {row['username']}（{roles.label(row['role'])}）。")
        elif args.command == "list":
            for row in await accounts.list():
                state = "在用" if row["active"] else "停用"
                print(f"{row['username']}\t{roles.label(row['role'])}\t{state}")
        else:
            found = await accounts.by_name(args.username)
            if found is None:
                raise AccountError("账号不存在。")
            await accounts.unlock(found["id"], actor="cli")
            print(f"已解除 {found['username']} 的锁定。")
    except AccountError as error:
        print(f"操作未完成：{error}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    return 0


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    password = read_password(args.password_stdin) if args.command == "add" else None
    return asyncio.run(run(args, password))
