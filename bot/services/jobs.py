"""The periodic jobs, run every DEADLINE_WATCH_SECONDS by `python -m bot`: the deadline
watch, the delivery watch (outage notices), the 督办 detection and the 复发 回访 check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.config import Settings
from bot.services.feedback.recurrence import RecurrenceCheck, RecurrencePrompter
from bot.services.notices import Alerter, Notifier
from bot.services.supervision.detection import SupervisionDetector, SupervisionRules
from bot.services.tickets.deadline_watch import DeadlineWatch
from bot.services.tickets.deadlines import DeadlinePolicy
from bot.services.tickets.delivery_watch import DeliveryWatch
from storage.base import utcnow
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


class Job(Protocol):
    async def run_once(self, now: datetime) -> object: ...


class PeriodicJobs:
    """Runs each job every `interval` seconds; one failing job does not stop the others."""

    def __init__(
        self,
        jobs: dict[str, Job],
        *,
        interval: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._jobs = jobs
        self._interval = interval
        self._clock = clock

    async def run_once(self) -> None:
        now = self._clock()
        for name, job in self._jobs.items():
            try:
                done = await job.run_once(now)
            except Exception:  # keep going; each job claims before it acts, so retries are safe
                log.exception("%s pass failed", name)
                continue
            log.debug("%s: %s", name, done)

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.run_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)


def periodic_jobs(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    notifier: Notifier,
    policy: DeadlinePolicy,
    alerter: Alerter | None = None,
) -> PeriodicJobs:
    """Built from settings; the 复发 question needs a notifier that can show buttons."""
    jobs: dict[str, Job] = {
        "deadline watch": DeadlineWatch(
            uow_factory,
            notifier,
            policy,
            warning_hours=settings.deadline_warning_hours,
            accept_warning_hours=settings.deadline_accept_warning_hours,
        ),
        "delivery watch": DeliveryWatch(
            uow_factory,
            notifier,
            alerter,
            notice_after=timedelta(minutes=settings.outbox_delay_notice_minutes),
        ),
    }
    jobs["supervision detection"] = SupervisionDetector(
        uow_factory,
        SupervisionRules(
            overdue_margin=timedelta(hours=settings.supervision_overdue_margin_hours),
            urge_times=settings.supervision_urge_times,
        ),
    )
    if isinstance(notifier, RecurrencePrompter):
        jobs["recurrence check"] = RecurrenceCheck(
            uow_factory, notifier, check_days=settings.recurrence_check_days
        )
    return PeriodicJobs(jobs, interval=settings.deadline_watch_seconds)
