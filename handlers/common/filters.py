"""Async filters: aiogram runs sync filters (and F chains) in a thread pool, ~170 µs each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.types import Message


async def has_contact(message: Message) -> bool:
    return message.contact is not None


async def has_text(message: Message) -> bool:
    return message.text is not None


def text_is(*expected: str) -> Callable[[Message], Awaitable[bool]]:
    """Matches a reply-keyboard button press (the button's text)."""
    wanted = frozenset(expected)

    async def matches(message: Message) -> bool:
        return message.text in wanted

    return matches


async def has_photo(message: Message) -> bool:
    return bool(message.photo)


async def has_location(message: Message) -> bool:
    return message.location is not None
