"""Local Telegram Bot API emulator: the bot polls it like api.telegram.org, tests and the
browser web chat act as users through the ``/_emu`` control API."""

from emulator.server import RunningEmulator, create_app, start_emulator

__all__ = ["RunningEmulator", "create_app", "start_emulator"]
