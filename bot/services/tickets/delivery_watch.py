"""The delivery watch: what people are told while the outbox cannot reach the hotline.

- A report still not delivered OUTBOX_DELAY_NOTICE_MINUTES after filing, that failed at least
  once: its deputy is told once that it is safe and will be sent automatically; once it
  arrives, told again.
- The 代表工委 staff are alerted (ALERTS_CHAT_ID) when messages have been failing that long
  (the hotline is down), when nothing fails any more, and of every dead letter.

Each notice is claimed on its message (a conditional UPDATE) before it is sent: a second pass
or process never sends it twice. Clock-injected: `run_once(now)`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import datetime, timedelta

from bot.services.notices import (
    AdminAlert,
    Alerter,
    DeadLetterAlert,
    DeliveryArrived,
    DeliveryDelayed,
    DeputyNotice,
    HotlineBack,
    HotlineDown,
    Notifier,
)
from storage.models import OutboxMessage
from storage.repositories.delivery import Column, Waiting
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)
BATCH = 200


class DeliveryWatch:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        notifier: Notifier,
        alerter: Alerter | None = None,
        *,
        notice_after: timedelta = timedelta(minutes=5),
    ) -> None:
        self._uow_factory = uow_factory
        self._notifier = notifier
        self._alerter = alerter
        self._notice_after = notice_after
        self._down_since: datetime | None = None  # this process's view, for down/back alerts

    async def run_once(self, now: datetime) -> int:
        """Sends what is due; how many notices and alerts went out."""
        queued_before = now - self._notice_after
        async with self._uow_factory() as uow:
            delayed = await uow.delivery.delayed_creates(queued_before, BATCH)
            arrived = await uow.delivery.arrived_after_delay(BATCH)
            dead = await uow.delivery.unannounced_dead(BATCH) if self._alerter else []
            outage = await uow.delivery.outage(queued_before)
        sent = 0
        for waiting in delayed:
            delay = DeliveryDelayed(waiting.number or "", waiting.summary or "")
            sent += await self._tell(waiting, OutboxMessage.delay_notified_at, delay, now)
        for waiting in arrived:
            arrival = DeliveryArrived(waiting.number or "", waiting.summary or "")
            sent += await self._tell(waiting, OutboxMessage.arrival_notified_at, arrival, now)
        for waiting in dead:
            alert = DeadLetterAlert(
                waiting.message_id, waiting.kind, waiting.number, waiting.last_error or ""
            )
            if await self._claim(waiting, OutboxMessage.dead_notified_at, now):
                sent += await self._alert(alert)
        if outage is not None and self._down_since is None:
            self._down_since = outage.since
            sent += await self._alert(HotlineDown(outage.failing, outage.since, outage.last_error))
        elif outage is None and self._down_since is not None:
            sent += await self._alert(HotlineBack(self._down_since))
            self._down_since = None
        return sent

    async def _tell(
        self, waiting: Waiting, column: Column, notice: DeputyNotice, now: datetime
    ) -> int:
        if not await self._claim(waiting, column, now) or waiting.telegram_user_id is None:
            return 0
        return await _attempt(
            self._notifier.notify(waiting.telegram_user_id, notice),
            f"telling the deputy of report {waiting.report_id} about its delivery",
        )

    async def _claim(self, waiting: Waiting, column: Column, now: datetime) -> bool:
        async with self._uow_factory() as uow:
            claimed = await uow.delivery.claim(waiting.message_id, column, now)
            await uow.commit()
        return claimed

    async def _alert(self, alert: AdminAlert) -> int:
        if self._alerter is None:
            return 0
        return await _attempt(self._alerter.alert(alert), f"alerting the admins: {alert}")


async def _attempt(call: Awaitable[None], what: str) -> int:
    """1 when it went out; a failed notice is logged (at most once: it was claimed)."""
    try:
        await call
    except Exception:
        log.exception("%s failed", what)
        return 0
    return 1
