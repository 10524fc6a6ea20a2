"""Dead letters (发送失败的消息): outbox messages the worker gave up on, with the last error,
and the admin's retry: the message starts afresh (pending, due now, attempts reset).

The same idempotency key is sent again, so a retry never makes a second ticket."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from storage.base import utcnow
from storage.models import OutboxMessage, OutboxStatus
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class DeadLetter:
    id: int
    kind: str
    report_id: int | None
    report_number: str | None
    summary: str | None
    attempts: int
    last_error: str
    created_at: datetime
    last_attempt_at: datetime  # when it was last due: the failed attempt


class DeadLetterService:
    def __init__(self, uow: UnitOfWork, clock: Callable[[], datetime] = utcnow) -> None:
        self._uow = uow
        self._clock = clock

    async def letters(self) -> list[DeadLetter]:
        return [
            DeadLetter(
                id=message.id,
                kind=message.kind,
                report_id=message.report_id,
                report_number=report.number if report else None,
                summary=(report.summary or report.text[:40]) if report else None,
                attempts=message.attempts,
                last_error=message.last_error or "",
                created_at=message.created_at,
                last_attempt_at=message.next_attempt_at,
            )
            for message, report in await self._uow.review.dead_letters()
        ]

    async def retry(self, message_id: int | None = None, *, actor: str) -> int:
        """Requeues one dead message (or every one when `message_id` is None); how many."""
        messages = await self._uow.outbox.dead(message_id)
        for message in messages:
            self._requeue(message, actor)
        if messages:
            await self._uow.commit()
        return len(messages)

    def _requeue(self, message: OutboxMessage, actor: str) -> None:
        before = {
            "status": message.status,
            "attempts": message.attempts,
            "last_error": (message.last_error or "")[:500],
        }
        restart(message, self._clock())
        # last_error stays: it explains the retry until the next attempt's outcome replaces it.
        self._uow.audit.record(
            actor,
            "outbox.retry",
            entity="outbox_message",
            entity_id=message.id,
            before=before,
            after={"status": OutboxStatus.PENDING.value, "attempts": 0},
        )


def restart(message: OutboxMessage, now: datetime) -> None:
    """Starts a message afresh: pending, due `now`, no attempts, no worker's lease."""
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now
    message.locked_until = None
