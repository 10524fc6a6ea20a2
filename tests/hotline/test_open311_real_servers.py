"""The Open311 adapter and poller against what real GeoReport v2 servers do (the Helsinki
server's behaviours, as quirks of our facade, intake/open311_quirks.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.hotline.gateway import (
    PermanentHotlineError,
    Reporter,
    TemporaryHotlineError,
    TicketRequest,
)
from bot.hotline.open311 import form as forms
from bot.hotline.open311.adapter import Open311Adapter, error_text
from bot.hotline.open311.poller import to_event
from intake import RunningIntake, start_intake
from intake.open311_quirks import Open311Quirks
from tests.doubles import serve
from tests.hotline.conftest import DEPARTMENTS, Clock, intake_ticket_count

API_KEY = "key"
NAMES = {"ZJ": ["邵阳市住房和城乡建设局"], "CG": ["城市管理和综合执法局"]}
StartQuirky = Callable[..., Awaitable[RunningIntake]]


@pytest.fixture
async def quirky(intake_db: str) -> AsyncIterator[StartQuirky]:
    running: list[RunningIntake] = []

    async def start(**quirks: Any) -> RunningIntake:
        server = await start_intake(
            db_url=intake_db,
            secret="s",
            callback_url=None,
            open311_api_key=API_KEY,
            departments=DEPARTMENTS,
            open311_quirks=Open311Quirks(**quirks),
        )
        running.append(server)
        return server

    yield start
    for server in running:
        await server.close()


def adapter(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> Open311Adapter:
    return Open311Adapter(http, url, API_KEY, "shaoyang", NAMES, token_delay_s=0.05, **kwargs)


def request(**changes: Any) -> TicketRequest:
    fields: dict[str, Any] = {
        "idempotency_key": "report-1",
        "report_number": "SY20261203-0001",
        "department_code": "ZJ",
        "summary": "北塔区状元洲街道资江路88号电梯停运两个月，物业不…",
        "text": "北塔区状元洲街道资江路88号电梯停运两个月，物业不予维修，老人上下楼困难。",
        "appeal_type": "投诉",
        "urgency": "一般",
        "reporter": Reporter(name="李代表", phone="13800000001", level="市"),
        "district": "北塔区",
        "town": "状元洲街道",
        "address": "北塔区状元洲街道资江路88号",
    }
    fields.update(changes)
    return TicketRequest(**fields)


def v2(server: RunningIntake | str) -> str:
    base = server if isinstance(server, str) else server.base_url
    return base + "/open311/v2"


# ---- item 3: times microseconds apart ---------------------------------------------------


def test_an_update_microseconds_after_creation_without_notes_is_no_event() -> None:
    now = Clock().now
    polled = {
        "service_request_id": "1",
        "status": "open",
        "status_notes": None,
        "requested_datetime": "2026-12-03T10:00:00.123456+02:00",
        "updated_datetime": "2026-12-03T10:00:00.123493+02:00",
    }
    assert to_event(polled, "已提交", now=now) is None
    assert to_event({**polled, "status_notes": "已派至住建局"}, "已提交", now=now) is not None
    later = {**polled, "updated_datetime": "2026-12-03T10:00:09+02:00"}
    touched = to_event(later, "已提交", now=now)
    assert touched is not None and touched.status == "已受理"


async def test_a_fresh_request_on_a_server_stamping_apart_tells_the_deputy_nothing(
    quirky: StartQuirky, http: aiohttp.ClientSession
) -> None:
    server = await quirky(stamps_apart=True, no_tokens=True)
    receipt = await adapter(http, v2(server)).create_ticket(request())
    query = {"service_request_id": receipt.external_id, "api_key": API_KEY}
    async with http.get(f"{v2(server)}/requests.json", params=query) as response:
        [polled] = await response.json()
    assert polled["updated_datetime"] != polled["requested_datetime"]  # the quirk is on
    assert to_event(polled, "已提交", now=Clock().now) is None


# ---- item 7: address and description ----------------------------------------------------


def test_address_names_district_and_town_once_and_the_description_no_summary_twice() -> None:
    assert forms.address_string("北塔区", "状元洲街道", "北塔区状元洲街道资江路88号") == (
        "北塔区状元洲街道资江路88号"
    )
    assert (
        forms.address_string("北塔区", "状元洲街道", "资江路88号") == "北塔区状元洲街道资江路88号"
    )
    assert forms.address_string("北塔区", None, None) == "北塔区"
    made = request()
    text = forms.description(made.summary, made.text, made.report_number)
    assert text.count("电梯停运两个月") == 1
    assert text.endswith("（人大代表反映编号：SY20261203-0001）")
    gist = forms.description("电梯停运；噪音扰民", "电梯停运两个月。\n夜里施工噪音扰民。", "N")
    assert gist.startswith("电梯停运；噪音扰民\n\n")  # a real gist is kept


# ---- item 8: the service list -----------------------------------------------------------


async def test_an_empty_service_list_is_not_kept_and_a_later_list_is_used(
    quirky: StartQuirky, http: aiohttp.ClientSession
) -> None:
    server = await quirky(no_tokens=True)
    answers: list[Any] = [[], None]

    async def services(request_: web.Request) -> web.Response:
        answer = answers.pop(0) if answers else None
        if answer is not None:
            return web.json_response(answer)
        async with http.get(f"{v2(server)}/services.json") as upstream:
            return web.json_response(await upstream.json())

    async def passthrough(request_: web.Request) -> web.Response:
        body = await request_.post()
        async with http.post(f"{v2(server)}/requests.json", data=dict(body)) as upstream:
            return web.json_response(await upstream.json(), status=upstream.status)

    app = web.Application()
    app.router.add_get("/services.json", services)
    app.router.add_post("/requests.json", passthrough)
    async with serve(app) as stub:
        gateway = adapter(http, stub)
        with pytest.raises(TemporaryHotlineError, match="empty"):
            await gateway.create_ticket(request())
        assert (await gateway.create_ticket(request())).external_id  # asked again, found


async def test_an_unknown_service_answer_refreshes_the_list(
    quirky: StartQuirky, http: aiohttp.ClientSession
) -> None:
    server = await quirky(no_tokens=True)
    gateway = adapter(http, v2(server), services_ttl_s=3600)
    await gateway.service_codes()
    gateway.services._codes = {"ZJ": "GONE"}  # the server renamed a service since
    with pytest.raises(TemporaryHotlineError, match="refreshed"):
        await gateway.create_ticket(request())
    assert (await gateway.create_ticket(request())).external_id


# ---- a server like Helsinki's ------------------------------------------------------------


async def test_a_server_without_tokens_definitions_or_spec_errors_still_gets_the_report(
    quirky: StartQuirky, http: aiohttp.ClientSession
) -> None:
    server = await quirky(
        no_tokens=True, no_service_definitions=True, errors_as_objects=True, strict_attributes=True
    )
    gateway = adapter(http, v2(server))
    receipt = await gateway.create_ticket(request())  # no attribute[...]: none is declared
    stored = await server.store.get(receipt.external_id)
    assert stored is not None and "SY20261203-0001" in stored["text"]
    assert stored["address"] == "北塔区状元洲街道资江路88号"
    async with http.post(f"{v2(server)}/requests.json", data={"api_key": API_KEY}) as response:
        answer = await response.text()
    assert response.status == 400 and answer.startswith("{")  # one object, not the spec's list
    assert error_text(answer) == "400: service_code is required"
    with pytest.raises(PermanentHotlineError, match="400: service_code is required"):
        await gateway._call("POST", "requests.json", data={"api_key": API_KEY})


async def test_a_500_page_without_coordinates_is_stored_as_one_readable_line(
    quirky: StartQuirky, http: aiohttp.ClientSession
) -> None:
    server = await quirky(no_tokens=True, coordinates_required=True)
    with pytest.raises(TemporaryHotlineError) as failed:
        await adapter(http, v2(server)).create_ticket(request())
    line = str(failed.value)
    assert line == "HTTP 500: Server Error (500)"
    assert error_text("<html><body>" + "x" * 500) == "an HTML error page"
    located = request(latitude=27.24, longitude=111.47)
    assert (await adapter(http, v2(server)).create_ticket(located)).external_id


async def test_required_attributes_are_filled_and_undeclared_ones_never_sent(
    quirky: StartQuirky, http: aiohttp.ClientSession
) -> None:
    server = await quirky(
        no_tokens=True, strict_attributes=True, required_attributes={"ZJ": ("reference",)}
    )
    receipt = await adapter(http, v2(server)).create_ticket(request())
    assert receipt.external_id  # strict: a single undeclared attribute would be a 400
    stored = await server.store.get(receipt.external_id)
    assert stored is not None and stored["report_number"] == "SY20261203-0001"


async def test_after_an_ambiguous_failure_the_request_is_looked_for_before_posting_again(
    quirky: StartQuirky, http: aiohttp.ClientSession
) -> None:
    server = await quirky(no_tokens=True, ignore_idempotency_key=True)
    posts = {"n": 0}

    async def lost_answer(request_: web.Request) -> web.Response:
        posts["n"] += 1
        body = await request_.post()
        async with http.post(f"{v2(server)}/requests.json", data=dict(body)) as upstream:
            answer = await upstream.json()
        if posts["n"] == 1:  # filed, but the answer never arrives
            return web.Response(status=502, text="<title>Bad Gateway</title>")
        return web.json_response(answer)

    async def forward(request_: web.Request) -> web.Response:
        path = request_.match_info["path"]
        async with http.get(f"{v2(server)}/{path}", params=request_.query) as upstream:
            return web.json_response(await upstream.json(), status=upstream.status)

    app = web.Application()
    app.router.add_post("/requests.json", lost_answer)
    app.router.add_get("/{path:.+}", forward)
    async with serve(app) as stub:
        gateway = adapter(http, stub)
        with pytest.raises(TemporaryHotlineError, match="502"):
            await gateway.create_ticket(request())
        receipt = await gateway.create_ticket(request())
    assert posts["n"] == 1 and await intake_ticket_count(server) == 1
    assert receipt.external_id
