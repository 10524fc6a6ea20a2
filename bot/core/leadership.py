"""The port singleton duties ask before each pass: "am I the one instance doing this now?"

Several bot instances run the same code; the deadline watch, the recurrence check and the
Open311 poller must act on one of them at a time (two would send a deputy two 预警). The
wiring hands in a lease (`bot.ops.lease.RedisLease`) when instances share Redis, or nothing
(a single instance always does its duties)."""

from __future__ import annotations

from typing import Protocol


class Leadership(Protocol):
    @property
    def held(self) -> bool: ...

    @property
    def holder(self) -> str: ...
