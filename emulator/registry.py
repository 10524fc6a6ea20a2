"""Registry of Bot API method handlers (lower-cased names: Telegram ignores case)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from emulator.params import Params
from emulator.state import BotState, World


@dataclass
class Call:
    world: World
    bot: BotState
    params: Params


Handler = Callable[[Call], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = func
        return func

    return register
