"""Hotline doubles for outbox tests that only ever create tickets."""

from __future__ import annotations

from datetime import datetime

from bot.hotline.gateway import TicketReceipt, TicketRequest
from bot.services.tickets.capabilities import HotlineCapabilities


class CreateOnlyHotline:
    """A HotlineGateway whose follow-ups (催办, reopen, 改派, 撤回) must never be called."""

    adapter = "http"
    capabilities = HotlineCapabilities(adapter="http")

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        raise NotImplementedError

    async def urge(self, external_id: str, note: str, idempotency_key: str) -> None:
        raise AssertionError("this test files tickets only")

    async def reopen(self, external_id: str, reason: str, idempotency_key: str) -> str:
        raise AssertionError("this test files tickets only")

    async def reroute(
        self, external_id: str, department_code: str, note: str, idempotency_key: str
    ) -> None:
        raise AssertionError("this test files tickets only")

    async def withdraw(self, external_id: str, reason: str, idempotency_key: str) -> None:
        raise AssertionError("this test files tickets only")

    async def supervise(
        self, external_id: str, note: str, deadline: datetime, idempotency_key: str
    ) -> None:
        raise AssertionError("this test files tickets only")
