"""The Open311 adapter and status poller over real HTTP against the reference intake."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.hotline.gateway import (
    PermanentHotlineError,
    Reporter,
    RoutingSuggestion,
    TemporaryHotlineError,
    TicketRequest,
)
from bot.hotline.open311.adapter import Open311Adapter, match_services, split_name
from bot.hotline.open311.poller import Open311StatusPoller, to_event
from bot.hotline.outbox import OutboxWorker
from bot.services.notices import RatingPrompt
from bot.services.tickets.updates import TicketUpdateService
from intake import RunningIntake, start_intake
from storage.models import OutboxMessage, OutboxStatus, Report, Ticket
from storage.uow import UnitOfWorkFactory
from tests.doubles import serve
from tests.hotline.conftest import (
    DEPARTMENTS,
    DEPUTY_TELEGRAM_ID,
    Clock,
    FileReport,
    RecordingNotifier,
    intake_ticket_count,
)

API_KEY = "key"
NAMES = {"ZJ": ["邵阳市住房和城乡建设局", "市住建局"], "CG": ["城市管理和综合执法局", "城管局"]}


@pytest.fixture
async def intake(intake_db: str) -> AsyncIterator[RunningIntake]:
    running = await start_intake(
        db_url=intake_db,
        secret="s",
        callback_url=None,
        open311_api_key=API_KEY,
        departments=DEPARTMENTS,
        open311_token_delay_s=0.3,  # the first token lookups find no id yet
    )
    yield running
    await running.close()


def base(running: RunningIntake) -> str:
    return running.base_url + "/open311/v2"


def adapter(
    http: aiohttp.ClientSession,
    url: str,
    *,
    api_key: str = API_KEY,
    mapping_file: Path | None = None,
    token_attempts: int = 8,
    unsure_service_code: str | None = None,
) -> Open311Adapter:
    return Open311Adapter(
        http,
        url,
        api_key,
        "shaoyang",
        NAMES,
        mapping_file,
        token_attempts=token_attempts,
        token_delay_s=0.1,
        unsure_service_code=unsure_service_code,
    )


def ticket_request(
    key: str = "report-1", department: str = "ZJ", routing: RoutingSuggestion | None = None
) -> TicketRequest:
    return TicketRequest(
        idempotency_key=key,
        report_number="SY20250612-0001",
        department_code=department,
        summary="幸福小区电梯停运",
        text="城西街道幸福小区3栋电梯停运两个月。",
        appeal_type="投诉",
        urgency="一般",
        reporter=Reporter(name="李代表", phone="13800000001", level="市"),
        district="大祥区",
        address="幸福小区3栋",
        routing=routing,
    )


async def test_services_map_to_our_departments_and_the_file_overrides(
    intake: RunningIntake, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    assert await adapter(http, base(intake)).service_codes() == {"ZJ": "ZJ", "CG": "CG"}
    mapping = tmp_path / "open311-map.json"
    mapping.write_text(json.dumps({"ZJ": "CG"}), encoding="utf-8")
    codes = await adapter(http, base(intake), mapping_file=mapping).service_codes()
    assert codes == {"ZJ": "CG", "CG": "CG"}


def test_fuzzy_matching_uses_keywords_and_a_cutoff() -> None:
    services = [
        {"service_code": "021", "service_name": "住房和城乡建设", "keywords": "电梯,物业"},
        {"service_code": "033", "service_name": "供水服务", "keywords": "自来水,停水"},
    ]
    names = {"ZJ": ["邵阳市住房和城乡建设局"], "GS": ["自来水公司", "自来水"], "JY": ["教育局"]}
    assert match_services(names, services) == {"ZJ": "021", "GS": "033"}
    assert split_name("李代表") == ("李", "代表")


async def test_create_via_token_flow_and_a_retry_makes_no_duplicate(
    intake: RunningIntake, http: aiohttp.ClientSession
) -> None:
    gateway = adapter(http, base(intake))
    receipt = await gateway.create_ticket(ticket_request())
    stored = await intake.store.get(receipt.external_id)
    assert stored is not None
    assert stored["department_code"] == "ZJ"
    assert stored["report_number"] == "SY20250612-0001"
    assert stored["reporter_name"] == "李代表"
    assert stored["text"].startswith("幸福小区电梯停运")
    # A retry (new process, no remembered token) gets the same request back.
    again = await adapter(http, base(intake)).create_ticket(ticket_request())
    assert again.external_id == receipt.external_id
    assert await intake_ticket_count(intake) == 1


UNSURE = RoutingSuggestion(
    department_code="ZJ", confidence=0.41, unsure=True, reasons=("“电梯”→ 事项“电梯故障”",)
)


async def test_an_unsure_report_arrives_with_its_suggestion_for_the_dispatcher(
    intake: RunningIntake, http: aiohttp.ClientSession
) -> None:
    """ROUTING_UNSURE=hotline over GeoReport: the suggestion's service, and the description
    (which every server shows) ends with the suggestion marked 待确认."""
    receipt = await adapter(http, base(intake)).create_ticket(ticket_request(routing=UNSURE))
    stored = await intake.store.get(receipt.external_id)
    assert stored is not None and stored["department_code"] == "ZJ"
    assert "【建议承办单位（待确认）：邵阳市住房和城乡建设局，把握 41%】" in stored["text"]
    assert "电梯" in stored["text"].rsplit("【", 1)[1]


async def test_an_unsure_report_goes_to_the_unsure_service_when_one_is_set(
    intake: RunningIntake, http: aiohttp.ClientSession
) -> None:
    gateway = adapter(http, base(intake), unsure_service_code="CG")
    unsure = await gateway.create_ticket(ticket_request("unsure", routing=UNSURE))
    sure = RoutingSuggestion(department_code="ZJ", confidence=0.99, unsure=False)
    confident = await gateway.create_ticket(ticket_request("sure", routing=sure))
    unsure_ticket = await intake.store.get(unsure.external_id)
    sure_ticket = await intake.store.get(confident.external_id)
    assert unsure_ticket is not None and unsure_ticket["department_code"] == "CG"
    assert sure_ticket is not None and sure_ticket["department_code"] == "ZJ"
    assert "待确认" not in sure_ticket["text"]


async def test_unresolved_token_is_temporary_and_the_retry_reuses_it(
    intake: RunningIntake, http: aiohttp.ClientSession
) -> None:
    gateway = adapter(http, base(intake), token_attempts=1)
    with pytest.raises(TemporaryHotlineError, match="not resolved"):
        await gateway.create_ticket(ticket_request())
    assert gateway._tokens  # remembered: the retry polls, it does not POST
    gateway._token_attempts = 8
    receipt = await gateway.create_ticket(ticket_request())
    assert receipt.external_id
    assert await intake_ticket_count(intake) == 1


async def test_wrong_api_key_is_permanent_and_unknown_department_too(
    intake: RunningIntake, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(PermanentHotlineError, match=r"403.*api_key"):
        await adapter(http, base(intake), api_key="wrong").create_ticket(ticket_request())
    with pytest.raises(PermanentHotlineError, match="JY"):
        await adapter(http, base(intake)).create_ticket(ticket_request(department="JY"))


async def test_server_down_is_temporary(
    intake: RunningIntake, http: aiohttp.ClientSession
) -> None:
    url = base(intake)
    await intake.close()
    with pytest.raises(TemporaryHotlineError):
        await adapter(http, url).create_ticket(ticket_request())


def test_generic_status_mapping_without_a_notice_hint() -> None:
    now = Clock().now
    request = {
        "service_request_id": "2025061200001",
        "status": "open",
        "status_notes": None,
        "requested_datetime": "2025-06-12T10:00:00+08:00",
        "updated_datetime": "2025-06-12T10:00:00+08:00",
    }
    assert to_event(request, "已提交", now=now) is None  # untouched
    touched = {**request, "updated_datetime": "2025-06-12T10:05:00+08:00"}
    assert to_event(touched, "已提交", now=now).status == "已受理"  # type: ignore[union-attr]
    noted = {**touched, "status_notes": "已联系物业", "agency_responsible": "住建局"}
    event = to_event(noted, "已受理", now=now)
    assert event is not None
    assert (event.status, event.action) == ("办理中", "progress")
    assert event.note == "已联系物业（承办单位：住建局）"
    closed = to_event({**noted, "status": "closed"}, "办理中", now=now)
    assert closed is not None and closed.status == "已办结"


async def test_poller_follows_the_ticket_to_the_deputy(
    intake: RunningIntake,
    http: aiohttp.ClientSession,
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    notifier: RecordingNotifier,
    clock: Clock,
) -> None:
    report_id = await file_report()
    worker = OutboxWorker(seeded, adapter(http, base(intake)), clock=clock)
    assert await worker.run_once() == 1
    async with seeded() as uow:
        ticket = await uow.session.scalar(select(Ticket))
        message = await uow.session.scalar(select(OutboxMessage))
        assert ticket is not None and message is not None
        assert message.status == OutboxStatus.DELIVERED
        assert ticket.adapter == "open311"
        ticket_no = str(ticket.external_id)

    updates = TicketUpdateService(seeded, notifier, adapter="open311")
    poller = Open311StatusPoller(seeded, http, base(intake), updates, poll_seconds=60, clock=clock)
    assert await poller.run_once() == 0  # nobody has touched it yet
    assert notifier.sent == []
    assert await poller.run_once() == 0  # not due again before poll_seconds

    await intake.store.act(ticket_no, "accept", operator="话务员")
    clock.advance(61)
    assert await poller.run_once() == 1
    assert notifier.sent[-1][0] == DEPUTY_TELEGRAM_ID
    assert "受理" in notifier.sent[-1][1]

    clock.advance(61)
    assert await poller.run_once() == 0  # no change: nothing recorded, nobody told
    assert len(notifier.sent) == 1

    await intake.store.act(ticket_no, "dispatch", operator="话务员", department_code="ZJ")
    await intake.store.act(ticket_no, "answer", operator="住建局", answer="电梯已于6月20日修复。")
    clock.advance(61)
    assert await poller.run_once() == 1
    assert "电梯已于6月20日修复" in notifier.sent[-1][1]

    await intake.store.act(ticket_no, "close", operator="话务员")
    clock.advance(61)
    assert await poller.run_once() == 1
    assert "办结" in notifier.sent[-1][1]
    async with seeded() as uow:
        report = await uow.session.get(Report, report_id)
        ticket = await uow.session.scalar(select(Ticket))
        assert report is not None and ticket is not None
        assert report.status == ticket.status == "已办结"
    clock.advance(3600)
    assert await poller.run_once() == 0  # closed tickets are no longer polled


async def test_old_tickets_are_polled_less_often(
    seeded: UnitOfWorkFactory, http: aiohttp.ClientSession, notifier: RecordingNotifier
) -> None:
    poller = Open311StatusPoller(
        seeded,
        http,
        "http://127.0.0.1:9",
        TicketUpdateService(seeded, notifier, adapter="open311"),
        poll_seconds=300,
    )
    now = Clock().now
    assert poller.interval(now - timedelta(hours=2), now) == timedelta(seconds=300)
    assert poller.interval(now - timedelta(days=1, hours=1), now) == timedelta(seconds=600)
    assert poller.interval(now - timedelta(days=3), now) == timedelta(seconds=2400)
    assert poller.interval(now - timedelta(days=30), now) == timedelta(hours=24)


async def test_a_failing_server_is_polled_at_the_tickets_pace_not_every_pass(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    http: aiohttp.ClientSession,
    notifier: RecordingNotifier,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hits: list[str] = []

    async def unavailable(request: web.Request) -> web.Response:
        hits.append(request.query.get("service_request_id", ""))
        body = [{"code": 503, "description": "维护中"}]
        return web.json_response(body, status=503)

    app = web.Application()
    app.router.add_get("/requests.json", unavailable)
    async with serve(app) as base_url:
        report_id = await file_report()
        async with seeded() as uow:
            uow.session.add(
                Ticket(report_id=report_id, adapter="open311", external_id="9", status="已提交")
            )
            await uow.commit()
        poller = Open311StatusPoller(
            seeded,
            http,
            base_url,
            TicketUpdateService(seeded, notifier, adapter="open311"),
            poll_seconds=60,
            clock=clock,
        )
        assert await poller.run_once() == 0
        assert hits == ["9"]
        assert "HTTP 503: 503: 维护中" in caplog.text  # the GeoReport error list, readable
        clock.advance(5)  # the poller's next pass, a few seconds later
        assert await poller.run_once() == 0
        assert hits == ["9"]  # not asked again before the ticket's interval
        clock.advance(60)
        await poller.run_once()
        assert hits == ["9", "9"]


async def test_a_request_closed_without_an_answer_still_asks_the_deputy_to_rate(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    notifier: RecordingNotifier,
    clock: Clock,
) -> None:
    """A plain GeoReport server knows only open/closed: its closing notes are the answer."""
    report_id = await file_report()
    async with seeded() as uow:
        uow.session.add(
            Ticket(report_id=report_id, adapter="open311", external_id="7", status="已提交")
        )
        await uow.commit()
    closed = {
        "service_request_id": "7",
        "status": "closed",
        "status_notes": "电梯已修复并通过验收。",
        "requested_datetime": "2025-06-12T10:00:00+08:00",
        "updated_datetime": "2025-06-20T16:00:00+08:00",
    }
    event = to_event(closed, "已提交", now=clock.now)
    assert event is not None
    updates = TicketUpdateService(seeded, notifier, adapter="open311")
    assert (await updates.process(event)).report_status == "已办结"
    [(_, text)] = notifier.sent
    assert "已办结" in text and "SY20250612-0001" in text and "电梯已修复" in text
    assert "满意度评价" in text
    assert notifier.prompts == [RatingPrompt(report_id, 1)]


async def test_the_adapter_and_the_poller_send_the_configured_api_key(
    http: aiohttp.ClientSession,
) -> None:
    """The server shows descriptions only to a client with the key: ours sends it on GETs as
    well as on POST requests.json."""
    seen: list[dict[str, str]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(dict(request.query))
        return web.json_response([])

    app = web.Application()
    app.router.add_get("/open311/v2/services.json", record)
    app.router.add_get("/open311/v2/requests.json", record)
    async with serve(app) as url:
        with pytest.raises(TemporaryHotlineError, match="empty"):  # never kept as the truth
            await adapter(http, f"{url}/open311/v2").service_codes()
        poller = Open311StatusPoller(
            None,  # type: ignore[arg-type]  # _fetch reads no database
            http,
            f"{url}/open311/v2",
            None,  # type: ignore[arg-type]
            api_key=API_KEY,
        )
        assert await poller._fetch(["20261203-00001"]) == {}
    assert [query.get("api_key") for query in seen] == [API_KEY, API_KEY]


async def test_georeport_cannot_carry_a_supervision_notice() -> None:
    """GeoReport v2 has no 督办: the adapter says so (the message dead-letters for the admins,
    as 改派 and 撤回 do) and declares it, so nothing promises the notice reached the server."""
    async with aiohttp.ClientSession() as http:
        gateway = adapter(http, "http://127.0.0.1:9")
        assert gateway.capabilities.supervise is False
        with pytest.raises(PermanentHotlineError, match="督办"):
            await gateway.supervise(
                "SR-1", "督办", datetime(2099, 1, 5, tzinfo=UTC), "supervise-1-a"
            )
