"""The periodic jobs: the deadline watch and the 复发 回访 check, run every
DEADLINE_WATCH_SECONDS by `python -m bot`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from bot.config import Settings
from bot.services.feedback.recurrence import RecurrenceCheck, RecurrencePrompter
from bot.services.notices import Notifier
from bot.services.tickets.deadline_watch import DeadlineWatch
from bot.services.tickets.deadlines import DeadlinePolicy
from storage.base import utcnow
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


class DeadlineJobs:
    """Runs the deadline watch and the 复发 check every `interval` seconds."""

    def __init__(
        self,
        watch: DeadlineWatch,
        recurrence: RecurrenceCheck | None,
        *,
        interval: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._watch = watch
        self._recurrence = recurrence
        self._interval = interval
        self._clock = clock

    async def run_once(self) -> None:
        now = self._clock()
        done = await self._watch.run_once(now)
        if done.warnings or done.overdue:
            log.info("deadline watch: %d warnings, %d overdue", done.warnings, done.overdue)
        if self._recurrence is not None:
            await self._recurrence.run_once(now)

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # keep watching; nothing was claimed that was not also queued
                log.exception("deadline pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)


def deadline_jobs(
    settings: Settings, uow_factory: UnitOfWorkFactory, notifier: Notifier, policy: DeadlinePolicy
) -> DeadlineJobs:
    """Built from settings; the 复发 question needs a notifier that can show buttons."""
    watch = DeadlineWatch(
        uow_factory,
        notifier,
        policy,
        warning_hours=settings.deadline_warning_hours,
        accept_warning_hours=settings.deadline_accept_warning_hours,
    )
    recurrence = None
    if isinstance(notifier, RecurrencePrompter):
        recurrence = RecurrenceCheck(
            uow_factory, notifier, check_days=settings.recurrence_check_days
        )
    return DeadlineJobs(watch, recurrence, interval=settings.deadline_watch_seconds)
