"""``python -m intake``: run the reference 12345 intake server until interrupted;
``python -m intake accounts …``: the console's operator accounts (intake/accounts_cli.py)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys

from intake.db import db_url_for
from intake.server import start_intake

log = logging.getLogger("intake")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m intake", description=__doc__)
    parser.add_argument("--host", default=env("INTAKE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("INTAKE_PORT", "8090")))
    parser.add_argument("--db", default=env("INTAKE_DB", "./data/intake.sqlite3"))
    parser.add_argument("--secret", default=env("HOTLINE_SECRET"))
    parser.add_argument("--callback-url", default=env("INTAKE_CALLBACK_URL"))
    parser.add_argument("--open311-api-key", default=env("OPEN311_API_KEY"))
    parser.add_argument("--departments", default=env("INTAKE_DEPARTMENTS"))
    parser.add_argument(
        "--open311-open",
        action="store_true",
        default=env("OPEN311_OPEN", "").strip().lower() in ("1", "true", "yes"),
        help="accept Open311 POST requests.json without an api_key (OPEN311_OPEN=true)",
    )
    parser.add_argument(
        "--open311-mode",
        choices=("token", "direct"),
        default=env("OPEN311_MODE", "token"),
        help="POST requests.json answers with a token (default) or the id at once",
    )
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("--secret or HOTLINE_SECRET is required")
    return args


async def serve(args: argparse.Namespace) -> None:
    running = await start_intake(
        host=args.host,
        port=args.port,
        db_url=db_url_for(args.db),
        secret=args.secret,
        callback_url=args.callback_url or None,
        open311_api_key=args.open311_api_key or None,
        departments_file=args.departments or None,
        open311_mode=args.open311_mode,
        open311_open=args.open311_open,
    )
    log.info(
        "12345 intake server at %s (console: %s/console/)", running.base_url, running.base_url
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await running.close()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["accounts"]:
        from intake import accounts_cli

        raise SystemExit(accounts_cli.main(argv[1:]))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
