"""The calls of a round, made through the adapter: one per message, or a round's creates in
one batch call where the adapter can. Every failure becomes an Outcome, never an exception:
a bug in an adapter must not stop the queue."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import cast

from bot.hotline.gateway import (
    BatchTicketCreator,
    HotlineError,
    HotlineGateway,
    PermanentHotlineError,
    TicketReceipt,
    TicketRequest,
)
from bot.hotline.outbox.requests import FollowUp
from storage.models import OutboxKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one call did: a receipt (a create), nothing (a follow-up), or an error."""

    message_id: int
    receipt: TicketReceipt | None = None
    error: str | None = None
    permanent: bool = False
    replacement: TicketReceipt | None = None  # a 重办 filed as a new ticket (Open311)


def failed(message_id: int, error: HotlineError) -> Outcome:
    permanent = isinstance(error, PermanentHotlineError)
    return Outcome(message_id, error=str(error), permanent=permanent)


class Sender:
    def __init__(self, gateway: HotlineGateway) -> None:
        self._gateway = gateway

    @property
    def batches(self) -> bool:
        """Whether the adapter files several tickets per call."""
        return isinstance(self._gateway, BatchTicketCreator)

    async def send(self, message_id: int, kind: str, call: TicketRequest | FollowUp) -> Outcome:
        try:
            if isinstance(call, FollowUp):
                return Outcome(message_id, replacement=await self._follow_up(call))
            return Outcome(message_id, receipt=await self._gateway.create_ticket(call))
        except HotlineError as error:
            return failed(message_id, error)
        except Exception as error:  # a bug in an adapter must not stop the queue
            log.exception("outbox message %s (%s) failed unexpectedly", message_id, kind)
            return Outcome(message_id, error=f"{type(error).__name__}: {error}")

    async def send_creates(self, creates: list[tuple[int, TicketRequest]]) -> list[Outcome]:
        gateway = cast(BatchTicketCreator, self._gateway)
        try:
            results = await gateway.create_tickets([request for _, request in creates])
        except Exception as error:  # as in send: the messages are retried
            log.exception("outbox creates %s failed unexpectedly", [i for i, _ in creates])
            return [Outcome(i, error=f"{type(error).__name__}: {error}") for i, _ in creates]
        return [
            failed(i, result) if isinstance(result, HotlineError) else Outcome(i, receipt=result)
            for (i, _), result in zip(creates, results, strict=True)
        ]

    async def _follow_up(self, follow_up: FollowUp) -> TicketReceipt | None:
        """A new ticket that replaces the old one (a 重办 over Open311), else None."""
        gateway, ticket, key = self._gateway, follow_up.external_id, follow_up.idempotency_key
        if follow_up.kind == OutboxKind.REOPEN:
            status = await gateway.reopen(ticket, follow_up.text, key)
            if isinstance(status, TicketReceipt):
                log.info("ticket %s reopened as a new ticket %s", ticket, status.external_id)
                return status
            log.info("ticket %s reopened: now %s", ticket, status)
        elif follow_up.kind == OutboxKind.REROUTE:
            await gateway.reroute(ticket, follow_up.department_code, follow_up.text, key)
        elif follow_up.kind == OutboxKind.WITHDRAW:
            await gateway.withdraw(ticket, follow_up.text, key)
        elif follow_up.kind == OutboxKind.SUPERVISE and follow_up.deadline is not None:
            await gateway.supervise(ticket, follow_up.text, follow_up.deadline, key)
        else:
            await gateway.urge(ticket, follow_up.text, key)
        return None
