"""``python -m emulator --host 127.0.0.1 --port 8081``: run the emulator standalone."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from emulator.server import start_emulator


async def serve(host: str, port: int) -> None:
    running = await start_emulator(host, port)
    print(f"Telegram Bot API emulator: {running.base_url}  (bot API base for the bot)")
    print(f"网页聊天 / web chat: {running.webchat_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await running.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Local Telegram Bot API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
