"""The periodic jobs, run every DEADLINE_WATCH_SECONDS by `python -m bot`: the deadline
watch, the delivery watch (outage notices), the 督办 detection and the 复发 回访 check.

With several instances they run on the one holding the jobs' lease (`Leadership`); the others
look every second whether it came to them (its holder died), so a pass is never skipped for
longer than the lease's TTL and a third."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.config import Settings
from bot.core import metrics
from bot.core.leadership import Leadership
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
        leadership: Leadership | None = None,
        standby_poll: float = 1.0,
    ) -> None:
        self._jobs = jobs
        self._interval = interval
        self._clock = clock
        self._leadership = leadership
        self._standby_poll = standby_poll

    async def run_once(self) -> None:
        now = self._clock()
        started = time.time()
        for name, job in self._jobs.items():
            try:
                done = await job.run_once(now)
            except Exception:  # keep going; each job claims before it acts, so retries are safe
                metrics.error("job")
                log.exception("%s pass failed", name)
                continue
            metrics.job_pass(name)
            log.debug("%s: %s", name, done)
        if self._leadership is not None:
            # Which instance ran a pass and when: `make scale` checks that they never overlap.
            log.info(
                "jobs pass on %s from %.3f to %.3f",
                self._leadership.holder,
                started,
                time.time(),
            )

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            leading = self._leadership is None or self._leadership.held
            metrics.JOBS_LEADER.set(1 if leading else 0)
            if leading:
                await self.run_once()
            with contextlib.suppress(TimeoutError):
                wait = self._interval if leading else self._standby_poll
                await asyncio.wait_for(stop.wait(), timeout=wait)


def periodic_jobs(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    notifier: Notifier,
    policy: DeadlinePolicy,
    alerter: Alerter | None = None,
    leadership: Leadership | None = None,
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
    return PeriodicJobs(jobs, interval=settings.deadline_watch_seconds, leadership=leadership)
