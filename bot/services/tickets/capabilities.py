"""What a hotline adapter can do, declared by each adapter (bot/hotline/*/adapter.py) and read
by the services, so that the bot never promises what the hotline cannot do.

Our JSON API and the operators' chat do everything. Open311 GeoReport v2 can only create and
read requests: a 重办 becomes a new service request that cites the original, and 催办, 改派,
撤回 (of a ticket the server already holds) and 督办 cannot reach it at all; the deputy is told so,
and the staff see it in the console."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReopenMode(StrEnum):
    IN_PLACE = "in_place"  # the same ticket is handled again
    NEW_REQUEST = "new_request"  # a new ticket citing the original (Open311)
    NONE = "none"


@dataclass(frozen=True)
class HotlineCapabilities:
    adapter: str
    urge: bool = True  # 催办 reaches the hotline
    reopen: ReopenMode = ReopenMode.IN_PLACE
    reroute: bool = True  # 改派 of a ticket the hotline holds
    withdraw: bool = True  # 撤回 of a ticket the hotline holds
    supervise: bool = True  # 人大督办 notice with a new deadline
    photos: bool = True  # the report's photos reach the operators

    @property
    def can_reopen(self) -> bool:
        return self.reopen is not ReopenMode.NONE


# Every action: what an adapter we do not know yet (a test's fake) is assumed to do.
FULL = HotlineCapabilities(adapter="")
