"""`python -m bot [run | worker | db upgrade | registry import|export FILE | classifier
export-corrections|export-directory FILE | admin create-user NAME | demo]`.

Every command first brings the database schema up to date."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import (
    MissingOperatorsChatError,
    MissingTokenError,
    Settings,
    SettingsError,
    load_settings,
)
from bot.logging_setup import configure_logging


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:  # one line per bad variable, never a traceback
        for line in error.lines:
            print(line, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    command = args.command or "run"
    try:
        if command == "run":
            return asyncio.run(_run(settings))
        if command == "worker":
            from bot.hotline.worker_process import run_worker

            return asyncio.run(run_worker(settings))
        if command == "db":
            return asyncio.run(_db_upgrade(settings))
        if command == "registry":
            from bot.cli import registry_command

            return asyncio.run(registry_command(settings, args.action, Path(args.file)))
        if command == "classifier":
            from bot.cli import export_corrections, export_directory

            export = export_directory if args.action == "export-directory" else export_corrections
            return asyncio.run(export(settings, Path(args.file)))
        if command == "admin":
            from console.cli import create_user, read_password

            password = read_password(args.password_stdin)
            if password is None:
                return 1
            return asyncio.run(create_user(settings, args.username, args.role, password))
        if command == "demo":
            from bot.demo import run_demo

            return asyncio.run(run_demo(settings, port=args.port))
    except (MissingTokenError, MissingOperatorsChatError) as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="代表直通 12345")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot and everything it needs (default)")
    commands.add_parser(
        "worker", help="only deliver the outbox to the hotline (run several on PostgreSQL)"
    )
    database = commands.add_parser("db", help="database schema")
    database.add_argument("action", choices=["upgrade"])
    registry = commands.add_parser("registry", help="deputy registry (五级人大代表信息库)")
    registry.add_argument("action", choices=["import", "export"])
    registry.add_argument("file", help="CSV or XLSX; header 姓名,手机号,层级,选区,联络站")
    classifier = commands.add_parser("classifier", help="routing classifier")
    classifier.add_argument("action", choices=["export-corrections", "export-directory"])
    classifier.add_argument(
        "file",
        help="export-corrections: JSONL for `python -m classifiers train --corrections FILE`; "
        "export-directory: JSON for `python -m classifiers import-directory FILE`",
    )
    admin = commands.add_parser("admin", help="admin console (/admin/) accounts")
    admin.add_argument("action", choices=["create-user"])
    admin.add_argument("username")
    admin.add_argument("--role", choices=["admin", "operator", "viewer"], default="admin")
    admin.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    demo = commands.add_parser("demo", help="local demo: Bot API emulator + web chat + bot")
    demo.add_argument(
        "--port",
        type=int,
        default=8081,
        help="web chat port (DEMO_PORT); the intake is 9 above, the admin console 1 below",
    )
    return parser


async def _run(settings: Settings) -> int:
    from bot.app import Application, BotApiUnavailable
    from bot.ops.shared import SecondPollerError

    settings.token()  # fail fast, before touching the database
    app = await Application.create(settings)
    try:
        await app.run()
    except BotApiUnavailable as error:  # one clear line, no traceback
        print(error, file=sys.stderr)
        return 1
    except SecondPollerError as error:  # one line, no traceback: another instance polls
        print(error, file=sys.stderr)
        return 2
    finally:
        await app.close()
    return 0


async def _db_upgrade(settings: Settings) -> int:
    from storage.bootstrap import open_database

    engine, _ = await open_database(settings.database_url)
    await engine.dispose()
    print("数据库已升级到最新版本。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
