"""A use case's refusal of a request, named rather than worded.

Services raise a `Refusal` subclass with a `reason` (a member of their own StrEnum) and the
details the words need; the transport (console/refusals.py for the consoles and the CLI) says
it in Chinese. `str()` gives the reason's name, for logs."""

from __future__ import annotations

from enum import StrEnum


class Refusal(Exception):
    def __init__(self, reason: StrEnum, **details: object) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.details = details
