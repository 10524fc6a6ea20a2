"""Work around start-up and per-update costs found by `make bench`, without patching libraries."""

from __future__ import annotations

import ctypes
import inspect
import sys

from aiogram import methods
from aiogram.methods.base import Response, TelegramMethod

# aiogram parses every Bot API reply with `Response[method.__returning__]`. pydantic caches such
# generic classes only weakly, so each call built the class anew (~16% of the bot's CPU per
# update). Holding one reference per method keeps them cached for the life of the process.
_RESPONSE_MODELS: list[type] = []


def keep_response_models_alive() -> None:
    if _RESPONSE_MODELS:
        return
    for _, method in inspect.getmembers(methods, inspect.isclass):
        if issubclass(method, TelegramMethod) and method is not TelegramMethod:
            _RESPONSE_MODELS.append(Response[method.__returning__])  # type: ignore[name-defined]


def release_freed_memory() -> None:
    """Hands the heap that start-up freed (dictionary loading, model parsing) back to the OS."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except OSError:
            pass  # not glibc (e.g. musl): nothing to trim
