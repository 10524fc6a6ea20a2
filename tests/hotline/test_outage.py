"""A hotline outage as people live it: the deputy is told once that the report is safe and
will go out by itself, and again when it arrives; the staff's alert group hears the outage
begin and end, and of each dead letter — each once, however many passes run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import aiohttp

from bot.services.notices import AdminAlert, DeadLetterAlert, HotlineBack, HotlineDown
from bot.services.tickets.delivery_watch import DeliveryWatch
from bot.texts.notices import ARRIVED, DELAYED
from storage.uow import UnitOfWorkFactory
from tests.doubles import RecordingNotifier
from tests.hotline.conftest import (
    DEPUTY_TELEGRAM_ID,
    Clock,
    FileReport,
    StartIntake,
    make_worker,
)


@dataclass
class RecordingAlerter:
    """The staff's alert group (the outside world)."""

    alerts: list[AdminAlert] = field(default_factory=list)

    async def alert(self, alert: AdminAlert) -> None:
        self.alerts.append(alert)


async def test_the_deputy_is_told_once_while_the_hotline_is_down_and_once_on_arrival(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
    notifier: RecordingNotifier,
) -> None:
    await file_report()
    down = await start()
    dead_url = down.base_url
    await down.close()
    alerter = RecordingAlerter()
    watch = DeliveryWatch(seeded, notifier, alerter, notice_after=timedelta(minutes=5))
    worker = make_worker(seeded, http, dead_url, clock)

    await worker.run_once()  # a blip is not an outage: nobody is told yet
    assert await watch.run_once(clock.now) == 0
    for _ in range(4):  # down for a while: several passes of the worker and the watch
        clock.advance(180)
        await worker.run_once()
        await watch.run_once(clock.now)
    [(chat, text)] = notifier.sent
    assert chat == DEPUTY_TELEGRAM_ID and DELAYED in text and "SY20250612-0001" in text
    [outage] = alerter.alerts
    assert isinstance(outage, HotlineDown) and outage.failing == 1
    assert "ClientConnectorError" in outage.last_error

    server = await start()
    worker = make_worker(seeded, http, server.base_url, clock)
    clock.advance(300)
    assert await worker.run_once() == 1
    await watch.run_once(clock.now)
    await watch.run_once(clock.now)
    assert len(notifier.sent) == 2 and ARRIVED in notifier.sent[1][1]
    assert [type(alert) for alert in alerter.alerts] == [HotlineDown, HotlineBack]


async def test_a_report_delivered_at_the_first_try_tells_nobody_anything(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
    notifier: RecordingNotifier,
) -> None:
    await file_report()
    server = await start()
    alerter = RecordingAlerter()
    watch = DeliveryWatch(seeded, notifier, alerter)
    assert await make_worker(seeded, http, server.base_url, clock).run_once() == 1
    clock.advance(3600)
    assert await watch.run_once(clock.now) == 0
    assert notifier.sent == [] and alerter.alerts == []


async def test_each_dead_letter_reaches_the_staff_at_once_and_only_once(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    start: StartIntake,
    http: aiohttp.ClientSession,
    clock: Clock,
    notifier: RecordingNotifier,
) -> None:
    await file_report()
    down = await start()
    dead_url = down.base_url
    await down.close()
    alerter = RecordingAlerter()
    watch = DeliveryWatch(seeded, notifier, alerter, notice_after=timedelta(hours=1))
    await make_worker(seeded, http, dead_url, clock, max_attempts=1).run_once()
    await watch.run_once(clock.now)
    await watch.run_once(clock.now)
    [dead] = alerter.alerts
    assert isinstance(dead, DeadLetterAlert) and dead.number == "SY20250612-0001"
    assert dead.kind == "create_ticket" and "ClientConnectorError" in dead.error
